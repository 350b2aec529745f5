"""The Babel catalogs: complete, not fuzzy, placeholders intact, in sync with the code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from bot.language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load(language):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def forms(message):
    """The translation's forms: one, or one per plural form (ngettext entries)."""
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    catalog = load(language)
    entries = [m for m in catalog if m.id]
    assert entries
    assert [m.id for m in entries if not all(forms(m))] == [], "untranslated"
    assert [m.id for m in entries if m.fuzzy] == [], "fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    for message in load(language):
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.id
        else:  # plural forms may leave the number out ("دقيقتين"), never invent a placeholder
            allowed = set(PLACEHOLDER.findall(" ".join(message.id)))
            assert all(set(PLACEHOLDER.findall(form)) <= allowed for form in forms(message)), message.id
            assert set(PLACEHOLDER.findall(forms(message)[-1])) == allowed, message.id


def test_no_bare_persian_catalog_that_gettext_could_fall_back_to():
    assert not (LOCALES_DIR / "fa").exists()


def test_dari_catalog_uses_persian_letters_and_arabic_catalog_arabic_letters():
    dari = " ".join(" ".join(forms(m)) for m in load("fa_AF") if m.id)
    arabic = " ".join(" ".join(forms(m)) for m in load("ar") if m.id)
    assert not re.search("[يك]", dari)
    assert not re.search("[یکپچژگ]", arabic)
    for iranian in ("مدرسه", "کلاس", "شهرداری", "شماره", "سوئد", "اجاره", "خیلی"):
        assert iranian not in dari


def test_catalogs_match_the_strings_in_the_code(tmp_path):
    """What `pybabel update --check` says: extracting again would change no catalog."""
    pot = tmp_path / "messages.pot"
    subprocess.run([str(BIN / "pybabel"), "extract", "-F", "babel.cfg", "-k", "N_", "--add-comments=TRANSLATORS:",
                    "--no-location", "--sort-output", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    check = subprocess.run([str(BIN / "pybabel"), "update", "--check", "-D", "messages", "-i", str(pot), "-d",
                            str(LOCALES_DIR), "--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"],
                           cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-2000:]


@pytest.mark.parametrize("minutes, expected", [(1, "دقيقة واحدة"), (2, "دقيقتين"), (5, "5 دقائق"), (10, "10 دقائق"),
                                               (15, "15 دقيقة"), (100, "100 دقيقة")])
def test_arabic_minutes_take_the_plural_form_the_number_needs(minutes, expected):
    from bot.handoff import WAIT_MINUTES
    from bot.i18n import format_number, translate_plural

    text = translate_plural("ar", WAIT_MINUTES, minutes, minutes=format_number(minutes, "ar"))
    assert expected in text, text
    assert "دقائق" not in text or 3 <= minutes <= 10
