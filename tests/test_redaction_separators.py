"""Redaction whatever people put between the digits (issue 12, item 4): every Unicode dash
(Pd, plus the minus sign and tatweel), every space (Zs: no-break, narrow no-break, thin…), dots,
slashes and invisible format characters (Cf: RLM, LRM, ALM, ZWJ, ZWNJ, ZWSP, BOM…), in Latin,
Arabic-Indic and Persian digits. Hypothesis generates the separators, scripts and numbers; the
second half checks that dates, prices, postal codes and years are still kept."""

import sys
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from bot.redaction import EMAIL, PERSONAL_NUMBER, PHONE, redact

ALL_CHARS = [chr(c) for c in range(sys.maxunicode + 1)]
DASHES = [c for c in ALL_CHARS if unicodedata.category(c) == "Pd"] + ["\u2212", "\u0640"]
SPACES = [c for c in ALL_CHARS if unicodedata.category(c) == "Zs"]
INVISIBLE = [c for c in ALL_CHARS if unicodedata.category(c) == "Cf"]
DOTS_AND_SLASHES = [".", "/", "\u066b", "\u2044", "\u2215", "\uff0f", "\u00b7"]
SCRIPTS = {"latin": "0123456789", "arabic_indic": "٠١٢٣٤٥٦٧٨٩", "persian": "۰۱۲۳۴۵۶۷۸۹"}


def test_the_named_characters_are_in_the_generated_sets():
    assert {"\u2013", "\u2014", "\u2010", "-"} <= set(DASHES)
    assert {"\u00a0", "\u202f", "\u2009", " "} <= set(SPACES)
    assert {"\u200f", "\u200e", "\u061c", "\u200d", "\u200c", "\u200b", "\ufeff"} <= set(INVISIBLE)


def in_script(text: str, script: str) -> str:
    return "".join(SCRIPTS[script][int(c)] if c.isdigit() and c.isascii() else c for c in text)


scripts = st.sampled_from(list(SCRIPTS))
invisible = st.text(alphabet=st.sampled_from(INVISIBLE), max_size=2)
spaces = st.text(alphabet=st.sampled_from(SPACES), min_size=1, max_size=2)


@st.composite
def gaps(draw, allow_hard=True):
    """What people put between two groups of digits: nothing, spaces, or one dash/dot/slash
    with optional spaces around it, each with invisible characters mixed in."""
    kind = draw(st.sampled_from(["none", "space", "hard"] if allow_hard else ["none", "space"]))
    if kind == "none":
        core = ""
    elif kind == "space":
        core = draw(spaces)
    else:
        core = draw(st.sampled_from(DASHES + DOTS_AND_SLASHES))
        if draw(st.booleans()):
            core = " " + core + " "
    return draw(invisible) + core if draw(st.booleans()) else core + draw(invisible)


@st.composite
def personal_numbers(draw):
    century = draw(st.sampled_from(["", "19", "20"]))
    date = f"{draw(st.integers(0, 99)):02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    tail = f"{draw(st.integers(0, 9999)):04d}"
    # Invisible marks may also sit inside a group (RLM inside the number).
    cut = draw(st.integers(1, len(date) - 1))
    date = date[:cut] + draw(invisible) + date[cut:]
    separator = draw(st.sampled_from(DASHES + [" "]))
    separator = draw(st.sampled_from([separator, " " + separator + " ", ""]))
    return in_script(century + date + draw(invisible) + separator + tail, draw(scripts))


@st.composite
def phone_numbers(draw):
    groups = draw(st.sampled_from([["070", "123", "45", "67"], ["08", "123", "456", "78"], ["073", "9876543"],
                                   ["0046", "70", "123", "45", "67"]]))
    text = groups[0]
    for group in groups[1:]:
        text += draw(gaps()) + group
    return in_script(text, draw(scripts))


def _digits_left(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


@settings(max_examples=300, deadline=None)
@given(number=personal_numbers(), before=st.sampled_from(["mitt personnummer är ", "رقمي الشخصي ", "نمبر شخصی من ", ""]),
       after=st.sampled_from([" tack", " شكرا", " است", ""]))
def test_a_personnummer_is_redacted_whatever_separates_its_digits(number, before, after):
    redacted = redact(before + number + after)
    digits = "".join(str(unicodedata.digit(ch)) for ch in number if ch.isdigit())
    # Ten digits beginning 07 without a dash (born 2007, written without century) are also a
    # Swedish mobile number: either label removes it, which is what matters.
    labels = (PERSONAL_NUMBER, PHONE) if len(digits) == 10 and digits.startswith("07") else (PERSONAL_NUMBER,)
    assert any(label in redacted for label in labels), repr(number)
    assert _digits_left(redacted) == 0, repr(redacted)
    assert redacted.startswith(before) and redacted.endswith(after)


@settings(max_examples=300, deadline=None)
@given(number=phone_numbers(), before=st.sampled_from(["ring mig på ", "تلفوني ", "نمبر تلفون من ", ""]))
def test_a_phone_number_is_redacted_whatever_separates_its_digits(number, before):
    redacted = redact(before + number + " tack")
    # "070123 4567" is also a valid personnummer (born 2007-01-23): either label removes it.
    assert (PHONE in redacted or PERSONAL_NUMBER in redacted) and _digits_left(redacted) == 0, (
        repr(number), repr(redacted))


@settings(max_examples=100, deadline=None)
@given(left=st.sampled_from(["", " ", "\u00a0"]), right=st.sampled_from(["", " ", "\u00a0"]),
       name=st.sampled_from(["ali.hassan", "name", "Ali.Rezai", "a_h+1"]),
       domain=st.sampled_from(["example.se", "hotmail.com", "Yahoo.COM", "mail.kommun.se"]))
def test_an_email_is_redacted_with_or_without_spaces_around_the_at(left, right, name, domain):
    # One space on either side, as people type it to get past filters.
    redacted = redact(f"maila {name}{left}@{right}{domain} tack")
    assert redacted == f"maila {EMAIL} tack", redacted


@pytest.mark.parametrize("text, expected", [
    ("19850312–1234", PERSONAL_NUMBER), ("850312 - 1234", PERSONAL_NUMBER),
    ("8503\u200f12-1234", PERSONAL_NUMBER), ("850312\u200b1234", PERSONAL_NUMBER),
    ("070/123 45 67", PHONE), ("070.123.45.67", PHONE), ("۸۵۰۳۱۲–۱۲۳۴", PERSONAL_NUMBER),
    ("٨٥٠٣١٢\u200f-\u200f١٢٣٤", PERSONAL_NUMBER), ("070\u202f123\u00a045\u200967", PHONE),
    ("name @ example.se", EMAIL),
])
def test_the_reviews_examples(text, expected):
    assert redact(text) == expected


# --- what must be kept, with the same separators ---------------------------------------------

@settings(max_examples=200, deadline=None)
@given(year=st.integers(1990, 2035), month=st.integers(1, 12), day=st.integers(1, 28),
       separator=st.sampled_from(DASHES + ["/", "."]), script=scripts, day_first=st.booleans())
def test_dates_are_kept_with_any_separator(year, month, day, separator, script, day_first):
    parts = [f"{day:02d}", f"{month:02d}", str(year)] if day_first else [str(year), f"{month:02d}", f"{day:02d}"]
    text = in_script("vi kom " + separator.join(parts), script)
    assert redact(text) == text


@settings(max_examples=200, deadline=None)
@given(first=st.integers(100, 999), second=st.integers(10, 99), space=st.sampled_from(SPACES + [""]),
       script=scripts)
def test_postal_codes_are_kept_with_any_space(first, second, space, script):
    text = in_script(f"postnummer {first}{space}{second:02d}", script)
    assert redact(text) == text


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(1, 99), thousands=st.sampled_from(SPACES + [".", ""]), script=scripts,
       year=st.integers(1950, 2035))
def test_prices_years_and_courses_are_kept(amount, thousands, script, year):
    for text in (f"hyran är {amount}{thousands}000 kr", f"jag föddes {year}", "sfi kurs B", "SFI nivå C",
                 f"{amount} år", "möte @ 10.30"):
        text = in_script(text, script)
        assert redact(text) == text
