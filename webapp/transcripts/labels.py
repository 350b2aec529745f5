"""Swedish words for what the staff pages would otherwise show as keys, in one place:

* ``intent_label("sfi_enrol")`` → "Sfi: Anmäl dig till sfi" (the topic's Swedish button title,
  from ``bot.answers.TOPIC_TITLES``, behind its area), ``"greet"`` → "Hälsning";
* ``payload_meaning('/switch_language{"language":"fa_AF"}')`` → "Bytte språk till dari": what a
  button press meant, for a transcript line that shows the button's label;
* ``line_attributes(text, ...)`` → ``("fa-AF", "rtl")``: each line's own language and direction,
  from the text's script, not from the conversation's language slot.
"""

from __future__ import annotations

import json
import re
from typing import Optional, Tuple

from bot.answers import TOPIC_TITLES
from bot.i18n import translate
from bot.language import NATIVE_NAMES, RIGHT_TO_LEFT, SWEDISH, detect_language

LANGUAGE_NAMES_SV = {"sv": "svenska", "ar": "arabiska", "fa_AF": "dari"}
AREA_PREFIX_SV = {"sfi": "Sfi", "housing": "Bostad", "school": "Skola", "crisis": "Kris"}

# Intents that are not answer topics.
OTHER_INTENTS_SV = {
    "greet": "Hälsning",
    "goodbye": "Hej då",
    "thank": "Tack",
    "help": "Bad om hjälp",
    "request_human": "Vill prata med en person",
    "switch_language": "Byte av språk",
    "inform_municipality": "Angav sin kommun",
    "out_of_scope": "Utanför det boten kan",
    "nlu_fallback": "Förstods inte",
    "feedback_wrong": "Sa att svaret var fel",
    "privacy_delete_data": "Vill radera sina uppgifter",
    "handoff_residence_permit": "Till en person: uppehållstillstånd/asyl",
    "handoff_deportation": "Till en person: utvisning/avvisning",
    "handoff_eviction": "Till en person: vräkning eller hot från hyresvärd",
    "handoff_social_services": "Till en person: socialtjänsten/LVU",
    "handoff_debt": "Till en person: skulder/Kronofogden",
    "handoff_discrimination": "Till en person: diskriminering",
    "handoff_authority_letter": "Till en person: brev från myndighet",
}

_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w]*)(?P<entities>\{.*\})?\s*$", re.DOTALL)


def intent_label(key: str) -> str:
    """The Swedish name of an intent or topic; the key itself only for one nobody named yet."""
    if not key:
        return ""
    if key in TOPIC_TITLES:
        title = translate(SWEDISH, TOPIC_TITLES[key])
        area = AREA_PREFIX_SV.get(key.split("_", 1)[0])
        return f"{area}: {title}" if area and not title.lower().startswith(area.lower()) else title
    return OTHER_INTENTS_SV.get(key, key.replace("_", " "))


def parse_payload(text: str) -> Optional[Tuple[str, dict]]:
    """``("switch_language", {"language": "fa_AF"})`` for a button payload, ``None`` for typed text."""
    match = _PAYLOAD.match(text or "")
    if not match:
        return None
    entities = {}
    if match.group("entities"):
        try:
            entities = json.loads(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return match.group("intent"), entities


def payload_meaning(text: str) -> str:
    """What a button press meant, in Swedish; empty for text the user typed."""
    parsed = parse_payload(text)
    if parsed is None:
        return ""
    intent, entities = parsed
    if intent == "switch_language" and entities.get("language"):
        return f"Bytte språk till {LANGUAGE_NAMES_SV.get(entities['language'], entities['language'])}"
    if intent == "privacy_delete_data" and entities.get("privacy_confirm"):
        return "Bekräftade radering" if entities["privacy_confirm"] == "yes" else "Ångrade radering"
    if intent == "inform_municipality" and entities.get("municipality"):
        return f"Valde kommun {entities['municipality']}"
    return intent_label(intent)


def seen_label(text: str, button_label: str = "") -> str:
    """What the user saw when they sent a payload: the button's title; for a language chosen in
    the web widget's picker (no button), the language's own name as the picker shows it; empty
    when they saw nothing to press (the widget sends "/greet" when it opens)."""
    if button_label:
        return button_label
    parsed = parse_payload(text)
    if parsed and parsed[0] == "switch_language":
        return NATIVE_NAMES.get(parsed[1].get("language"), "")
    return ""


def line_attributes(text: str, language: str = "", conversation_language: str = "") -> Tuple[str, str]:
    """``(lang, dir)`` for one transcript line, from its own script.

    Arabic script → ``rtl``; the language is the one detected in the line, else the stored one
    if that is written in Arabic script, else unknown (``lang`` empty). Latin script → ``ltr``,
    Swedish only when the line reads as Swedish or was stored as such. No letters at all (a
    number, an emoji) → ``auto`` with no language.
    """
    detection = detect_language(text or "")
    if detection.language is None and not detection.right_to_left_script and not re.search(r"[^\W\d_]", text or ""):
        return "", "auto"
    if detection.right_to_left_script:
        if detection.confident and detection.language:
            chosen = detection.language
        else:
            chosen = next((code for code in (language, conversation_language) if code in RIGHT_TO_LEFT), "")
        return chosen.replace("_", "-"), "rtl"
    if detection.language == SWEDISH or language == SWEDISH:
        return "sv", "ltr"
    return "", "ltr"
