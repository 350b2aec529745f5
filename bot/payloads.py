"""``/intent{…}`` payloads as they come into the REST channel (issue 12, items 1 and 2).

Rasa executes any message that starts with ``/`` as an intent, with the JSON after it as
entities, and copies entities into slots (``municipality`` maps from its entity). So a payload
is code the user sends, and the channel checks it before Rasa sees it:

* ``clean_payload``: every entity is validated by name and type, for every caller: a
  municipality is a known 4-digit SCB code, a language one of the product's (aliases
  accepted), a privacy answer ``yes`` or ``no``; other names and other values are dropped, so
  a slot never holds a dict, a list or an unknown code (a dict in ``municipality`` once broke
  every staff page).
* ``allowed_for_user``: a newcomer may only send the payloads of the buttons the bot offered in
  its latest reply, plus the few the front ends send on their own (the widget's greeting and
  language switch, the hand-off cancel button). Token holders (operators' scripts, tests) may
  send any.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, Optional

from bot.language import canonical_language, to_ascii_digits

PREFIX = "/"
# Rasa's own pattern (YAMLStoryReader._regex_message_pattern), loosened only in what it reads.
_PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>\{.+\})?(?P<rest>.*)$", re.S)
_INTENT_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# Sent by the front ends themselves, never offered as a bot button: the widget greets when it
# opens, switches the language from its own menu, and leaves a hand-off with its cancel button.
FRONT_END_INTENTS = frozenset({"greet", "switch_language", "handoff_cancel"})


def is_payload(message: str) -> bool:
    return message.strip().startswith(PREFIX)


def _municipality(value: Any) -> Optional[str]:
    from bot.municipalities import directory

    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}"
    if not isinstance(value, str):
        return None
    code = to_ascii_digits(value.strip())
    return code if re.fullmatch(r"[0-9]{4}", code) and directory().get(code) is not None else None


def _language(value: Any) -> Optional[str]:
    return canonical_language(value) if isinstance(value, str) else None


def _privacy_answer(value: Any) -> Optional[str]:
    return value if value in ("yes", "no") else None


# Entity name → validator returning the value to store, or None to drop the entity.
ENTITY_VALIDATORS = {"municipality": _municipality, "language": _language, "privacy_confirm": _privacy_answer}


def clean_entities(entities: Any) -> Dict[str, str]:
    """Only known entities with valid values (see module docstring)."""
    if not isinstance(entities, dict):
        return {}
    cleaned = {}
    for name, value in entities.items():
        validator = ENTITY_VALIDATORS.get(name) if isinstance(name, str) else None
        checked = validator(value) if validator else None
        if checked is not None:
            cleaned[name] = checked
    return cleaned


def _split(message: str):
    """``(intent, raw entities, clean)`` of a payload; None when it is not one. ``clean`` is
    True when nothing had to be dropped (no invalid entity, no confidence, nothing after)."""
    match = _PAYLOAD.match(message.strip())
    if not match or not _INTENT_NAME.match(match.group("intent").strip()):
        return None
    raw: Any = {}
    if match.group("entities"):
        try:
            raw = json.loads(match.group("entities"))
        except ValueError:
            raw = None
    intent = match.group("intent").strip()
    entities = clean_entities(raw)
    clean = (entities == raw and intent == match.group("intent") and not match.group("confidence")
             and not match.group("rest").strip())
    return intent, entities, clean


def parse(message: str):
    """``(intent, entities)`` of a payload, entities validated; None when it is not one."""
    split = _split(message)
    return None if split is None else split[:2]


def clean_payload(message: str) -> str:
    """The message with its payload's entities validated; other messages unchanged.

    A valid payload is passed on as it came (transcripts show what was pressed); one with an
    invalid part is rebuilt from its valid parts. A ``/…`` message that is not a payload at all
    loses its leading slashes, so Rasa reads it as the text it is and guesses no intent."""
    if not is_payload(message):
        return message
    split = _split(message)
    if split is None:
        return message.strip().lstrip(PREFIX).strip() or "?"
    intent, entities, clean = split
    if clean:
        return message
    return PREFIX + intent + (json.dumps(entities, ensure_ascii=False, sort_keys=True) if entities else "")


def canonical(payload: str) -> Optional[str]:
    """A payload in one spelling (entity order, spaces), to compare a sent one with an offered one."""
    parsed = parse(payload)
    if parsed is None:
        return None
    intent, entities = parsed
    return intent + json.dumps(entities, sort_keys=True)


def allowed_for_user(message: str, offered: Iterable[str]) -> bool:
    """May a newcomer send this payload? Only an offered button's, or a front end's own."""
    parsed = parse(message)
    if parsed is None:
        return False
    intent, _entities = parsed
    if intent in FRONT_END_INTENTS:
        return True  # their entities (a language) are validated like every entity
    sent = canonical(message)
    return any(sent == canonical(payload) for payload in offered if isinstance(payload, str))


def latest_offered_payloads(events: Iterable[Any]) -> list:
    """The payloads of the buttons the bot offered last: those of its messages since the
    user's last message, or, when that reply had none, those of its latest message with buttons
    (a newcomer may press a button and then type something before pressing another).

    ``events`` are Rasa events (``type_name`` and ``data``) or their dicts (``event``, ``data``)."""
    this_turn: list = []
    user_seen = False
    for event in reversed(list(events)):
        kind = event.get("event") if isinstance(event, dict) else getattr(event, "type_name", None)
        if kind == "user":
            if this_turn:
                break
            user_seen = True
        elif kind == "bot":
            data = (event.get("data") if isinstance(event, dict) else getattr(event, "data", None)) or {}
            buttons = data.get("buttons") if isinstance(data, dict) else None
            payloads = [b.get("payload") for b in buttons or [] if isinstance(b, dict)]
            if payloads and not user_seen:
                this_turn.extend(payloads)
            elif payloads:
                return this_turn or payloads
    return this_turn
