"""Languages of the product: codes, text normalisation and per-message language detection.

The product speaks Swedish (``sv``), Arabic (``ar``) and Dari (``fa_AF``, CLDR's code). This
module decides which of them a message is written in, and prepares text for the NLU model:

* ``clean_text`` removes what must never reach the model or the tracker: control characters,
  bidi overrides, zero-width characters other than ZWNJ; it also caps the length.
* ``normalize_for_nlu`` folds the spellings that users on different keyboards produce
  (Arabic vs Persian yeh and kaf, Arabic-Indic and Persian digits, tatweel, harakat, alef
  forms, ZWNJ typed as space) so that one model sees one form. It is for matching only:
  answers are always written with the right letters of their language.
* ``detect_language`` scores a message for each language and says when it cannot tell
  (short or ambiguous text such as "سلام", "ok" or "1"); the caller then keeps the
  conversation's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

SWEDISH = "sv"
ARABIC = "ar"
DARI = "fa_AF"
LANGUAGES = (SWEDISH, ARABIC, DARI)
DEFAULT_LANGUAGE = SWEDISH
RIGHT_TO_LEFT = frozenset({ARABIC, DARI})

# Each language in its own name, for pickers and buttons.
NATIVE_NAMES = {SWEDISH: "Svenska", ARABIC: "العربية", DARI: "دری"}

_ALIASES = {
    "sv": SWEDISH, "sv_se": SWEDISH, "swe": SWEDISH, "swedish": SWEDISH, "svenska": SWEDISH,
    "ar": ARABIC, "ara": ARABIC, "arabic": ARABIC,
    "fa_af": DARI, "prs": DARI, "dari": DARI,
    # Telegram and browsers cannot tell Dari from Iranian Persian; the product serves Dari.
    "fa": DARI, "fa_ir": DARI, "per": DARI, "fas": DARI,
}

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut before NLU; the reply asks for a shorter message."""


def canonical_language(value: object) -> Optional[str]:
    """Map a language tag from outside (``fa-AF``, ``prs``, ``ar-SY``, ``sv``) to a product code."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("-", "_").lower()
    if not tag:
        return None
    if tag in _ALIASES:
        return _ALIASES[tag]
    base = tag.split("_", 1)[0]
    if base == "ar":
        return ARABIC  # every Arabic region gets the one Arabic catalog
    if base == "sv":
        return SWEDISH
    return None


# --- cleaning --------------------------------------------------------------------------

ZWNJ = "\u200c"
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"), None
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200d\u2060\ufeff\u00ad"), None)


def clean_text(text: object) -> str:
    """Text safe to process and store: no control or bidi-override characters, bounded length."""
    if not isinstance(text, str):
        return ""
    text = text.translate(_BIDI_CONTROLS).translate(_INVISIBLE)
    # Category Cc covers NUL and the C0/C1 controls; keep newlines and tabs as spaces.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()[:MAX_MESSAGE_CHARS]


# --- normalisation for matching ----------------------------------------------------------

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_LETTER_FOLDS = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ة": "ه", "ۀ": "ه", "ؤ": "و",
    "ـ": None,  # tatweel
})
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits become 0-9 (postal codes, ages, numbers)."""
    return text.translate(_DIGITS)


def normalize_for_nlu(text: str) -> str:
    """One spelling for the many that keyboards produce; for matching, never for display."""
    text = clean_text(text)
    text = to_ascii_digits(text)
    text = _HARAKAT.sub("", text)
    text = text.translate(_LETTER_FOLDS)
    # می‌خواهم / می خواهم / میخواهم all become میخواهم: ZWNJ and the space after the
    # Dari verbal prefixes are dropped.
    text = text.replace(ZWNJ, "")
    text = re.sub(r"(?<![\w])(ن?می) (?=\w)", r"\1", text)
    return text.lower()


# --- detection -----------------------------------------------------------------------

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[a-zA-ZåäöÅÄÖéÉüÜ]")

# Letters that only one of the two Arabic-script languages uses (LANGUAGE-NOTES.md).
_DARI_LETTERS = set("پچژگ")
_ARABIC_LETTERS = set("ةىؤإأ")

_ARABIC_WORDS_RAW = """
    في عن الى إلى هل كيف ماذا هذا هذه التي الذي أريد اريد بدي وين شلون شنو ليش عايز عاوز
    داير ابي ابغى ازاي ايش وش هسه هلق لا نعم انا احنا نحن عندي عندنا يمكن شكرا مرحبا اهلا
    لو سمحت اولادي ابني بنتي ولادي مدرسة المدرسة السكن ايجار الايجار اللغة البلدية الروضة
    كيفية ماهو ماهي يعني اللي مش مو كتير هواية كيفك شكو"""
_DARI_WORDS_RAW = """
    است اس هست نیست میخواهم میخایم میخام میتانم میتوانم چطور چطو چطوری چی چیست کجا کجاس
    کدام کو را برای بری بخاطر اولادم بچه مکتبی صنف لیسه شاروالی کرایه نمبر سویدن سویدنی
    تشکر تشکری مهربانی زبان خانه کنم کنیم میشه میشود باید دارم داریم ندارم چند پول هستم
    هستیم زندگی بگویید بگو گپ دری خوب یک دو مه شما ایشان که از به با در اگر کار بسیار"""
# Frequent words of each language, compared after normalize_for_nlu. Words both languages use
# (من, ما, این, اولاد, مکتب as "office", الان, ممکن, وقت) are in neither list.
_ARABIC_WORDS = frozenset(normalize_for_nlu(_ARABIC_WORDS_RAW).split())
_DARI_WORDS = frozenset(normalize_for_nlu(_DARI_WORDS_RAW).split())
_SWEDISH_WORDS = frozenset(
    """jag du vi ni han hon hur var vad vilken vilka när varför är och att det som på till för
    med min mitt mina har kan vill ska måste inte ja nej tack hej hejsan hallå barn skola
    bostad bor kostar kostnad anmäla anmäler söka ansöka behöver lägenhet hyra kommun språk
    svenska också eller om av från man får finns mig dig oss er sin någon något ingen hjälp
    gå går gäller ha hade blir bli kö komvux plugga plugg jobb jobbar arbete förskola gymnasiet
    dotter son fru kille tjej kvinna pappa mamma vart va vad vart o e hjälpa""".split()
)
_SWEDISH_LETTERS = set("åäöÅÄÖ")

# An explicit choice of language in the message itself: "på svenska", "بالعربي", "به دری".
# A phrase that says "in <language>" is a choice in any short message. A bare language name
# ("svenska", "دری") is one only in a message of a few words that is not about the language
# itself: "كم تكلفة دروس اللغة السويدية" and "کورس زبان سویدنی" ask about Swedish classes
# and must be answered in Arabic and Dari.
def _names(*names: str) -> str:
    return "|".join(rf"(?<!\w){name}(?!\w)" for name in names)


_EXPLICIT_PHRASES = [
    (SWEDISH, re.compile(r"\b(?:på|pa) svenska\b|\bin swedish\b|بالسويدي|بالسويدية|باللغة السويدية"
                         r"|به سویدنی|به سوئدی|به زبان سویدنی", re.I)),
    (ARABIC, re.compile(r"\b(?:på|pa) arabiska\b|\bin arabic\b|بالعربی|بالعربيه|بالعربية|بالعربي"
                        r"|باللغة العربية|به عربی|به زبان عربی", re.I)),
    (DARI, re.compile(r"\b(?:på|pa) (?:dari|persiska)\b|\bin (?:dari|farsi|persian)\b|به دری|به زبان دری"
                      r"|بالدري|بالفارسي|بالفارسية|به فارسی", re.I)),
]
_BARE_NAMES = [
    (SWEDISH, re.compile(_names("svenska", "swedish", "سویدنی", "سوئدی", "السويدية", "سويدي"), re.I)),
    (ARABIC, re.compile(_names("arabiska", "arabic", "عربی", "عربي", "عربيه", "العربيه", "العربية"), re.I)),
    (DARI, re.compile(_names("dari", "persiska", "farsi", "دری", "فارسی", "الدري", "الفارسية"), re.I)),
]
# Words that make a named language the subject of a question, not a choice: courses, school and
# learning ("plugga", "اتعلم", "یاد بگیرم"), as typed (also with the other yeh/kaf).
_LANGUAGE_AS_SUBJECT = re.compile(_names(
    "اللغة", "لغة", "زبان", "دروس", "درس", "کورس", "كورس", "صنف", "kurs", "kurser", "sfi", "lära", "läsa",
    "lektion", "plugga", "pluggar", "studera", "studerar", "lär", "läser", "lära mig", "modersmål", "skolan",
    "اتعلم", "أتعلم", "تعلم", "يتعلم", "نتعلم", "ادرس", "أدرس", "يدرس", "دراسة", "مدرسة", "المدرسة", "يدرسون",
    "یاد", "ياد", "آموزش", "اموزش", "بخوانم", "بخوانه", "بخوانیم", "بخونم", "مکتب", "مكتب", "مدرسه"), re.I)
BARE_NAME_MAX_WORDS = 3


@dataclass(frozen=True)
class Detection:
    """What the text says about its language. ``language`` is None when it cannot tell."""

    language: Optional[str]
    confident: bool
    right_to_left_script: bool = False


def explicit_language_choice(text: str) -> Optional[str]:
    """The language a message explicitly asks for ("på svenska", "بالعربي", "به دری"), if any.

    Only short messages count, so that "my son studies Arabic at school" is no switch.
    """
    cleaned = clean_text(text)
    words = len(cleaned.split())
    if not cleaned or words > 8:
        return None
    found = [code for code, pattern in _EXPLICIT_PHRASES if pattern.search(cleaned)]
    if not found and words <= BARE_NAME_MAX_WORDS and not _LANGUAGE_AS_SUBJECT.search(cleaned):
        found = [code for code, pattern in _BARE_NAMES if pattern.search(cleaned)]
    return found[0] if len(found) == 1 else None


def asks_about_learning_a_language(text: str) -> bool:
    """The message names a language as something to learn or be taught ("vill plugga svenska",
    "حابب اتعلم سويدي", "میخواهم سویدنی یاد بگیرم", "modersmål arabiska"): a question about
    SFI or school, never a request to switch the conversation's language."""
    cleaned = clean_text(text)
    if explicit_language_choice(cleaned):
        return False
    named = any(p.search(cleaned) for _, p in _EXPLICIT_PHRASES + _BARE_NAMES)
    return named and bool(_LANGUAGE_AS_SUBJECT.search(cleaned))


# Parts of a message that are in Latin letters whatever language the user writes: markup
# ("<script>"), web addresses, and tokens that mix letters and digits (ids, hex, "SFI2").
# Counting them let "رقمي [telefonnummer] <script>…</script> 3e4a" pass as Swedish: the
# redaction label and the tag outnumbered the Arabic letters, and the "e" in a hex id
# matched the Swedish "e" (= är).
_NOT_LANGUAGE = re.compile(r"<[^<>]{0,200}>|\b(?:https?://|www\.)\S+|\S*\d\S*|\S+@\S+")


def _language_bearing(text: str) -> str:
    """The text without redaction labels and the tokens above, which say nothing of its language."""
    from bot.redaction import without_labels  # bot.redaction imports this module

    return _NOT_LANGUAGE.sub(" ", without_labels(text))


def detect_language(text: str) -> Detection:
    """Which of sv/ar/fa_AF a message is written in, or None when it cannot tell."""
    cleaned = _language_bearing(clean_text(text))
    arabic_script = len(_ARABIC_SCRIPT.findall(cleaned))
    latin = len(_LATIN.findall(cleaned))
    if arabic_script == 0 and latin == 0:
        return Detection(None, False)  # digits, emoji, punctuation only
    if arabic_script >= latin:
        return _arabic_or_dari(cleaned)
    return _swedish_or_not(cleaned, arabic_script)


def _arabic_or_dari(cleaned: str) -> Detection:
    words = re.findall(r"[^\W\d_]+", normalize_for_nlu(cleaned))
    dari = sum(ch in _DARI_LETTERS for ch in cleaned) * 2
    arabic = sum(ch in _ARABIC_LETTERS for ch in cleaned) * 2
    # Arabic's definite article on a longer word is a strong Arabic signal; Dari uses it only
    # in loanwords (الله, البته), which the length test mostly keeps out.
    arabic += sum(1 for w in words if w.startswith("ال") and len(w) > 4)
    # Persian yeh/kaf typed as such (before normalisation) lean towards Dari; users on an
    # Arabic keyboard type Dari with ي/ك, so this only adds a little.
    dari += sum(ch in "یک" for ch in cleaned) * 0.5
    arabic += sum(ch in "يك" for ch in cleaned) * 0.25
    dari += sum(2 for w in words if w in _DARI_WORDS)
    arabic += sum(2 for w in words if w in _ARABIC_WORDS)
    if dari == arabic:
        return Detection(None, False, right_to_left_script=True)
    best = DARI if dari > arabic else ARABIC
    margin = abs(dari - arabic)
    return Detection(best, margin >= 2, right_to_left_script=True)


def _swedish_or_not(cleaned: str, arabic_script: int) -> Detection:
    words = re.findall(r"[a-zåäöéü]+", cleaned.lower())
    score = sum(2 for w in words if w in _SWEDISH_WORDS)
    score += sum(1 for ch in cleaned if ch in _SWEDISH_LETTERS)
    if score >= 2:
        return Detection(SWEDISH, True)
    # "ok", "sfi", "1", English or Arabic in Latin letters: not enough to switch language.
    return Detection(SWEDISH if score else None, False)


def choose_reply_language(
    text: str,
    current: Optional[str],
    requested: Optional[str] = None,
) -> str:
    """The language to answer in.

    Order: an explicit choice in the message; the language asked for from outside (metadata,
    a language button); a confident detection of the message; the conversation's language;
    a weak detection; Swedish.
    """
    explicit = explicit_language_choice(text)
    if explicit:
        return explicit
    requested = canonical_language(requested)
    if requested:
        return requested
    detection = detect_language(text)
    if detection.confident and detection.language:
        return detection.language
    # Arabic script that cannot tell Arabic from Dari ("سلام"): Arabic, the more common of the
    # two among newcomers, unless the conversation is in Dari already.
    script_guess = detection.language or (ARABIC if detection.right_to_left_script else None)
    current = canonical_language(current)
    if current:
        # A short Arabic-script message keeps an Arabic-script conversation's language, but a
        # Swedish conversation that gets one moves to the script's best guess.
        if script_guess and (script_guess in RIGHT_TO_LEFT) != (current in RIGHT_TO_LEFT):
            return script_guess
        return current
    return script_guess or DEFAULT_LANGUAGE
