"""Identifiers are removed before storage, in every script; what the bot needs is kept."""

import pytest

from bot.redaction import redact


@pytest.mark.parametrize("text, expected", [
    ("mitt personnummer är 850312-1234", "mitt personnummer är [personnummer]"),
    ("pnr 198503121234 tack", "pnr [personnummer] tack"),
    ("samordningsnummer 850372-1234", "samordningsnummer [personnummer]"),
    ("رقمي الشخصي ٨٥٠٣١٢-١٢٣٤", "رقمي الشخصي [personnummer]"),
    ("نمبر شخصی من ۸۵۰۳۱۲۱۲۳۴ است", "نمبر شخصی من [personnummer] است"),
    ("ring mig på 070-123 45 67", "ring mig på [telefonnummer]"),
    ("+46 70 123 45 67 är mitt nummer", "[telefonnummer] är mitt nummer"),
    ("تلفوني ٠٧٠١٢٣٤٥٦٧", "تلفوني [telefonnummer]"),
    ("نمبر تلفون ۰۷۶۵۴۳۲۱۰۹", "نمبر تلفون [telefonnummer]"),
    ("maila ali.hassan@example.se", "maila [e-post]"),
    ("ärendenummer 12345678 hos Migrationsverket", "ärendenummer [ärendenummer] hos Migrationsverket"),
    ("dossiernummer: 1234-5678", "dossiernummer: [ärendenummer]"),
    ("رقم الملف ١٢٣٤٥٦٧ في مصلحة الهجرة", "رقم الملف [ärendenummer] في مصلحة الهجرة"),
    ("نمبر دوسیه من ۷۶۵۴۳۲۱", "نمبر دوسیه من [ärendenummer]"),
])
def test_identifiers_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "jag bor på 41319", "postnummer 413 19", "min son är 8 år", "hyran är 12000 kr", "vi är 5 personer",
    "۴۱۳۱۹", "sfi kurs D", "2026", "vi kom 2023-05-10",
])
def test_what_the_bot_needs_is_kept(text):
    assert redact(text) == text
