"""Template helpers for the review pages: language attributes for right-to-left text, Swedish
labels for intents and button presses, and isolation of right-to-left quotes in Swedish text."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from bot.language import RIGHT_TO_LEFT
from webapp.transcripts import labels
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
def message_text(text: str, language: str, conversation_language: str = "", button_label: str = ""):
    """One line of a transcript with its own ``lang`` and ``dir``, from the script of the text
    itself (``webapp.transcripts.labels.line_attributes``). A button press shows the label the
    user saw, with its Swedish meaning, instead of the payload ``/switch_language{…}``."""
    meaning = labels.payload_meaning(text)
    shown = labels.seen_label(text, button_label) if meaning else text
    lang, direction = labels.line_attributes(shown, language, conversation_language) if shown else ("", "auto")
    return {"text": shown, "lang": lang, "dir": direction, "meaning": meaning, "is_button": bool(meaning),
            "pressed": bool(shown), "opened": text.strip() == "/greet"}


@register.filter
def intent_label(key: str) -> str:
    """``sfi_enrol`` → "Sfi: Anmäl dig till SFI": staff read Swedish, not intent keys."""
    return labels.intent_label(key)


@register.filter
def first_question(text: str) -> str:
    """The list's "first question": a button press as its Swedish meaning, typed text as typed."""
    return labels.payload_meaning(text) or text


_RIGHT_TO_LEFT_RUN = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF][\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\s\d\u200c\u200f.,،؛؟!?:()«»-]*[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


@register.filter(needs_autoescape=True)
def isolate_rtl(text: str, autoescape=True) -> str:
    """Swedish text with each Arabic or Dari run in ``<bdi>``, so a quote keeps its own order
    and does not scramble the Swedish around it (escaped first; only our tags are markup)."""
    escape = conditional_escape if autoescape else (lambda value: value)
    parts, last = [], 0
    text = str(text or "")
    for match in _RIGHT_TO_LEFT_RUN.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(mark_safe(f'<bdi dir="rtl">{escape(match.group(0))}</bdi>'))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(str(part) for part in parts))


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


@register.simple_tag
def line_attributes(text: str, language: str = "", conversation_language: str = "") -> str:
    """`` dir="rtl" lang="fa-AF"`` for an element holding one line of a conversation."""
    lang, direction = labels.line_attributes(text, language, conversation_language)
    return mark_safe(f' dir="{direction}"' + (f' lang="{conditional_escape(lang)}"' if lang else ""))
