"""Fixed strings and formatting per language, through Babel.

Fixed strings (greetings, questions, button titles, notes) are marked with ``N_`` where they
are defined and translated with ``translate(language, msgid)`` when a reply is built. The
catalogs are ``locales/<locale>/LC_MESSAGES/messages.po`` (sv, ar, fa_AF), kept with
``make locales`` (pybabel extract → update → compile). The running bot reads the ``.po``
files themselves, so a fresh clone can never answer from a stale or missing ``.mo``; fuzzy
entries are ignored, and ``tests/test_locales.py`` fails on any untranslated or fuzzy entry.
Answer texts are content, not catalog strings (see ``bot.content``).

Dari is ``fa_AF``. There is deliberately no bare ``fa`` catalog: gettext would fall back to
it and hand Iranian Persian to Dari speakers.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Dict, Tuple, Union

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from babel.messages.pofile import read_po

from bot.language import DEFAULT_LANGUAGE, canonical_language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate / pop directional isolate


def N_(msgid: str) -> str:
    """Marks a string for extraction (``pybabel extract -k N_``); translated later."""
    return msgid


def ngettext(singular: str, plural: str) -> Tuple[str, str]:
    """Marks a string with plural forms for extraction (pybabel's default ``ngettext`` keyword);
    ``translate_plural`` picks the form. Arabic has six ("دقيقة", "دقيقتين", "دقائق" …)."""
    return (singular, plural)


@functools.lru_cache(maxsize=None)
def _po(language: str):
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@functools.lru_cache(maxsize=None)
def catalog(language: str) -> Dict[str, str]:
    """msgid → translated text for one language (fuzzy and empty entries left out). Entries
    with plural forms are keyed by (singular, plural), with a tuple of forms."""
    return {m.id: m.string for m in _po(language)
            if m.id and m.string and not m.fuzzy and (isinstance(m.string, str) or all(m.string))}


@functools.lru_cache(maxsize=None)
def _plural_rule(language: str):
    import gettext

    return gettext.c2py(_po(language).plural_expr)


def translate_plural(language: str, msgids: Tuple[str, str], n: int, **values: object) -> str:
    """The catalog form of ``msgids`` (from ``ngettext``) for the number ``n``, placeholders
    filled; Swedish as the fallback, as in ``translate``."""
    code = canonical_language(language) or DEFAULT_LANGUAGE
    for candidate in (code, DEFAULT_LANGUAGE):
        forms = catalog(candidate).get(tuple(msgids))
        if forms:
            text = forms[min(_plural_rule(candidate)(n), len(forms) - 1)]
            break
    else:
        text = msgids[0] if n == 1 else msgids[1]
    return text.format(**values) if values else text


def translate(language: str, msgid: str, **values: object) -> str:
    """The catalog text of ``msgid`` in ``language``, with ``{name}`` placeholders filled.

    A missing translation falls back to Swedish, never to English source text, and is caught
    by the catalog test before it ships.
    """
    code = canonical_language(language) or DEFAULT_LANGUAGE
    text = catalog(code).get(msgid) or catalog(DEFAULT_LANGUAGE).get(msgid) or msgid
    return text.format(**values) if values else text


def babel_locale(language: str) -> Locale:
    return Locale.parse(canonical_language(language) or DEFAULT_LANGUAGE)


def format_date(value: Union[dt.date, str, None], language: str) -> str:
    """A date as people of the language read it: "23 november 2026", "٢٣ نوفمبر ٢٠٢٦",
    Afghan month names for Dari ("۲۳ نومبر ۲۰۲۶")."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return babel_format_date(value, format="long", locale=babel_locale(language))


def format_number(value: Union[int, float], language: str) -> str:
    return format_decimal(value, locale=babel_locale(language))


def isolate(text: str) -> str:
    """Wrap a left-to-right run (a Swedish name, a URL, a number) so it cannot scramble an
    Arabic or Dari line (Unicode isolates; LANGUAGE-NOTES.md)."""
    return f"{FSI}{text}{PDI}"

