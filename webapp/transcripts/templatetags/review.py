"""Template helpers for the review pages: language attributes for right-to-left text."""

from django import template

from bot.language import RIGHT_TO_LEFT
from webapp.transcripts.filters import CHANNEL_LABELS, LANGUAGE_LABELS

register = template.Library()


@register.filter
def html_lang(code: str) -> str:
    """The BCP 47 tag for an HTML ``lang`` attribute: ``fa_AF`` → ``fa-AF``."""
    return (code or "").replace("_", "-")


@register.filter
def is_rtl(code: str) -> bool:
    return code in RIGHT_TO_LEFT


@register.filter
def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code or "okänt")


@register.inclusion_tag("transcripts/_text.html")
def message_text(text: str, language: str):
    """A message's text with ``dir`` and ``lang`` for its language (``dir="auto"`` when unknown)."""
    return {"text": text, "language": language, "rtl": language in RIGHT_TO_LEFT}


@register.filter
def percent(share: float) -> str:
    """0.125 → "12,5 %" (Swedish decimal comma and spacing)."""
    return f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"


@register.filter
def get(mapping, key):
    return mapping.get(key, "")


@register.filter
def channel_label(code: str) -> str:
    """"Webbwidget" for ``web``: staff read channel names, not codes."""
    return CHANNEL_LABELS.get(code, code) if code else ""
