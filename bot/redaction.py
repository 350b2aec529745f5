"""Remove personal identifiers from a message before anything stores it.

Newcomers write their personnummer, phone number or Migrationsverket case number into a chat
without thinking; none of it is needed to answer about SFI, housing or school, and a transcript
that holds it is a liability. The REST channel (``bot.channels``) redacts every message before
it reaches Rasa, so the raw text never enters the tracker store or the logs.

Recognised in Latin, Arabic-Indic (٠-٩) and Persian (۰-۹) digits alike:
personnummer and samordningsnummer (10 or 12 digits, with or without "-"/"+"), Swedish and
international phone numbers, e-mail addresses (also with spaces around the @), and Migrationsverket case or dossier numbers
(at least six digits, at most three words after a word that names them, in Swedish, Arabic or
Dari, possessive forms such as ملفي or پرونده‌ام included). Five-digit postal codes, years and
short numbers (ages, rents, room counts, helplines) are kept: the bot needs them.

Between two digits people (and their keyboards) put any dash (en dash, minus sign, Arabic
tatweel…), any space (no-break, narrow no-break, thin…), a dot, a slash, and invisible format
characters (right-to-left and left-to-right marks, zero-width joiners and spaces, BOM) that
bidi-aware editors insert on their own. ``_separators_normalised`` reduces each such gap to
one "-" or " " (or nothing, for invisible characters only) before the patterns run, so each
pattern is written once for the plain form; the spans are mapped back to the original text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Tuple

from bot.language import to_ascii_digits

PERSONAL_NUMBER = "[personnummer]"
PHONE = "[telefonnummer]"
EMAIL = "[e-post]"
CASE_NUMBER = "[ärendenummer]"
LABELS = (PERSONAL_NUMBER, PHONE, EMAIL, CASE_NUMBER)
_LABEL = re.compile("|".join(re.escape(label) for label in LABELS))
CASE_NUMBER_MIN_DIGITS = 6

# A space on either side of the @ is allowed ("name @ example.se", to dodge filters); the last
# domain label must be letters, so "möte @ 10.30" stays.
_EMAIL = re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.UNICODE)
# YYMMDD-XXXX, YYMMDD+XXXX, YYYYMMDD-XXXX, YYMMDDXXXX, YYYYMMDDXXXX; day may be +60
# (samordningsnummer). The month and day checks keep ordinary long numbers out.
_PERSONAL_NUMBER = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])(?:[-+ ]| \+ )?\d{4}(?!\d)"
)
# A date written day first ("04-12-2026" once separators are normalised): a leading zero and
# eight digits make it look like a phone number, but the bot needs dates.
_DAY_FIRST_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])[- ](?:0?[1-9]|1[0-2])[- ](?:19|20)\d{2}")

_HARD_SEPARATORS = "./\u066b\u06d4\u2024\uff0e\u00b7\u2044\u2215\uff0f\u060d"  # dots and slashes
# A gap with more visible characters than this (" - " has three) between two digits is not a
# separator inside one number; invisible ones do not count, but at most _MAX_GAP in all.
_MAX_VISIBLE_GAP = 3
_MAX_GAP = 12


def _separator_kind(char: str) -> str:
    """"hard" for a dash, dot or slash; "space" for a space; "invisible" for a format
    character; "" for anything else (which ends a number)."""
    category = unicodedata.category(char)
    if category == "Pd" or char in _HARD_SEPARATORS or char == "\u2212" or char == "\u0640":
        return "hard"  # U+2212 minus sign is Sm, U+0640 tatweel is Lm: both are written as dashes
    if category == "Zs" or char == "\t":
        return "space"
    if category == "Cf":
        return "invisible"
    return ""


def _separators_normalised(text: str) -> Tuple[str, List[int]]:
    """``text`` with ASCII digits and each gap between two digits reduced to "-" (it holds a
    dash, dot or slash), " " (spaces) or nothing (only invisible characters); and for each
    character of the result, its position in ``text`` (one more entry: ``len(text)``)."""
    out: List[str] = []
    origin: List[int] = []
    position = 0
    while position < len(text):
        char = text[position]
        out.append(char)
        origin.append(position)
        position += 1
        if not char.isdigit():
            continue
        end = position
        kinds = []
        while end < len(text) and end - position < _MAX_GAP and _separator_kind(text[end]):
            kinds.append(_separator_kind(text[end]))
            end += 1
        if len(kinds) - kinds.count("invisible") > _MAX_VISIBLE_GAP:
            continue
        if end == position or end >= len(text) or not text[end].isdigit() or kinds.count("hard") > 1:
            continue
        if "hard" in kinds:
            out.append("-")
        elif "space" in kinds:
            out.append(" ")
        else:
            position = end
            continue
        origin.append(position)
        position = end
    origin.append(len(text))
    return "".join(out), origin
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
    digits, origin = _separators_normalised(to_ascii_digits(text))
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
        if sum(ch.isdigit() for ch in match.group()) >= 8 and not _DAY_FIRST_DATE.fullmatch(match.group()):
            spans.append((match.start(), match.end(), PHONE))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    kept: List[Tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    # Back to positions in ``text``: a span ends after the original character of its last one.
    return [(origin[start], origin[end - 1] + 1, label) for start, end, label in kept]


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
