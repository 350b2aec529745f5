"""Remove personal identifiers from a message before anything stores it.

Newcomers write their personnummer, phone number or Migrationsverket case number into a chat
without thinking; none of it is needed to answer about SFI, housing or school, and a transcript
that holds it is a liability. The REST channel (``bot.channels``) redacts every message before
it reaches Rasa, so the raw text never enters the tracker store or the logs.

Recognised in Latin, Arabic-Indic (٠-٩) and Persian (۰-۹) digits alike:
personnummer and samordningsnummer (10 or 12 digits, with or without "-"/"+"), Swedish and
international phone numbers, e-mail addresses, and Migrationsverket case or dossier numbers
(at least six digits, at most three words after a word that names them, in Swedish, Arabic or
Dari, possessive forms such as ملفي or پرونده‌ام included). Five-digit postal codes, years and
short numbers (ages, rents, room counts, helplines) are kept: the bot needs them.
"""

from __future__ import annotations

import re
from typing import List, Tuple

from bot.language import to_ascii_digits

PERSONAL_NUMBER = "[personnummer]"
PHONE = "[telefonnummer]"
EMAIL = "[e-post]"
CASE_NUMBER = "[ärendenummer]"
LABELS = (PERSONAL_NUMBER, PHONE, EMAIL, CASE_NUMBER)
_LABEL = re.compile("|".join(re.escape(label) for label in LABELS))
CASE_NUMBER_MIN_DIGITS = 6

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# YYMMDD-XXXX, YYMMDD+XXXX, YYYYMMDD-XXXX, YYMMDDXXXX, YYYYMMDDXXXX; day may be +60
# (samordningsnummer). The month and day checks keep ordinary long numbers out.
_PERSONAL_NUMBER = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}(?!\d)"
)
# +46 70 123 45 67, 0046701234567, 070-123 45 67, 08-123 456 78, (08) 12 34 56
_PHONE = re.compile(r"(?<![\d\w])(?:\+|00)\d{1,3}[\s-]?(?:\(0\))?(?:\d[\s-]?){6,12}\d(?!\d)"
                    r"|(?<![\d\w])\(?0\d{1,3}\)?[\s-]?(?:\d[\s-]?){4,9}\d(?!\d)")
# Swedish, as on Migrationsverket's letters and the LMA card; Arabic "file/case/transaction/
# request/dossier (إضبارة, Syrian and Iraqi usage) number", also with a possessive ending
# (ملفي، قضيتي، معاملتي); Dari "dossier/file/case number", also with ‌ام (ZWNJ) or ام.
_CASE_WORDS = (r"ärende(?:nummer|numret|nr)?|dossier(?:nummer|nr)?|beslutsnummer|lma(?:-?kort)?(?:nummer|nr)?|"
               r"case(?: number)?|"
               r"رقم (?:ال)?(?:ملف|قضي|معامل|طلب|دوسي|اضبار|إضبار)\w*|(?:ال)?(?:ملف|دوسيه|اضبار|إضبار)\w*|"
               r"نمبر (?:دوسیه|پرونده|کیس|فایل)|دوسیه|پرونده|کیس")
# The case word (Dari: with its possessive ending), then at most three words ("min", "hos
# Migrationsverket är", من, بالهجرة), then a number of at least ``CASE_NUMBER_MIN_DIGITS`` digits.
_CASE_NUMBER = re.compile(rf"((?:{_CASE_WORDS})(?:\u200c?(?:ام|م|ات|ت))?\s*(?:nr|no|number|رقم|نمبر)?\s*"
                          r"(?:\w{1,16}\s+){0,3}[:#]?\s*)"
                          r"(\d[\d\s-]{4,12}\d)", re.IGNORECASE)


def find_identifiers(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, label) of every identifier, in text positions, not overlapping."""
    digits = to_ascii_digits(text)  # same length: one digit for one digit
    spans: List[Tuple[int, int, str]] = []
    for match in _EMAIL.finditer(digits):
        spans.append((match.start(), match.end(), EMAIL))
    for match in _CASE_NUMBER.finditer(digits):
        # Case and dossier numbers have 7-8 digits; "ärendet gäller 12 000 kr" is not one.
        if sum(ch.isdigit() for ch in match.group(2)) >= CASE_NUMBER_MIN_DIGITS:
            spans.append((match.start(2), match.end(2), CASE_NUMBER))
    for match in _PERSONAL_NUMBER.finditer(digits):
        # "0701234567" fits the date pattern but is a mobile number: written without a
        # separator, ten digits starting 07 are far more often phones than people born in 2007.
        if not (len(match.group()) == 10 and match.group().startswith("07")):
            spans.append((match.start(), match.end(), PERSONAL_NUMBER))
    for match in _PHONE.finditer(digits):
        if sum(ch.isdigit() for ch in match.group()) >= 8:
            spans.append((match.start(), match.end(), PHONE))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    kept: List[Tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def redact(text: str) -> str:
    """The text with every identifier replaced by its label, e.g. "[personnummer]"."""
    if not text:
        return text
    pieces, position = [], 0
    for start, end, label in find_identifiers(text):
        pieces.append(text[position:start])
        pieces.append(label)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def without_labels(text: str) -> str:
    """The redacted text with the labels taken out, for the NLU only.

    A label is a Swedish word in brackets that the training data never contains; left in, it
    pulls the intent towards whatever examples share its characters ("…رقمي الشخصي
    [personnummer]" was read as an SFI requirements question, "[telefonnummer]" as a request
    for a person). The stored text keeps the label, so staff see that something was removed.
    """
    return _LABEL.sub(" ", text)
