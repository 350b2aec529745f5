"""Inline keyboards: the assistant's buttons, and the bot's own language and municipality
pickers, with their payloads fitted into Telegram's 64 bytes of ``callback_data``.

A button's ``callback_data`` is the assistant payload itself ("/sfi_cost",
'/switch_language{"language":"ar"}') when it fits. A longer payload is stored in the
database under a short key derived from it ("#" + 16 characters), so the button keeps working
after a restart and in every worker. ``telegram:`` marks the few buttons the Telegram layer
answers itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Dict, Iterable, List, Optional, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import store as content_store
from bot.i18n import translate
from bot.language import LANGUAGES, NATIVE_NAMES
from bot.municipalities import directory
from bot.telegram import store, texts
from bot.telegram.formatting import isolate_ltr_runs

CALLBACK_DATA_BYTES = 64
STORED_PREFIX = "#"
LOCAL_PREFIX = "telegram:"
OTHER_MUNICIPALITY_ACTION = LOCAL_PREFIX + "other_municipality"
# Telegram shows a long list of buttons as a wall; staff may add facts for more municipalities.
MAX_MUNICIPALITY_BUTTONS = 12
MUNICIPALITIES_PER_ROW = 2


def switch_language_payload(language: str) -> str:
    return "/switch_language" + json.dumps({"language": language}, separators=(",", ":"))


def inform_municipality_payload(code: str) -> str:
    return "/inform_municipality" + json.dumps({"municipality": code}, separators=(",", ":"))


def stored_key(payload: str) -> str:
    """A short key that always names the same payload."""
    digest = hashlib.blake2b(payload.encode("utf-8"), digest_size=12).digest()
    return STORED_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_DATA_BYTES


async def callback_data_for(payload: str) -> str:
    """``callback_data`` for a payload: the payload itself, or a stored key when it is too long
    (or could be mistaken for a key or a local action)."""
    if _fits(payload) and not payload.startswith((STORED_PREFIX, LOCAL_PREFIX)):
        return payload
    key = stored_key(payload)
    await store.save_button_payload(key, payload)
    return key


async def payload_for(callback_data: str) -> Optional[str]:
    """The payload a pressed button stands for; None for a stored key that is unknown."""
    if callback_data.startswith(STORED_PREFIX):
        return await store.load_button_payload(callback_data)
    return callback_data


async def assistant_keyboard(buttons: Sequence[Dict]) -> Optional[InlineKeyboardMarkup]:
    """The assistant's buttons ({"title", "payload"}) as an inline keyboard, one per row:
    titles are whole phrases and read best on a phone one below the other."""
    rows = []
    for button in buttons:
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title.strip() and payload:
            rows.append([InlineKeyboardButton(isolate_ltr_runs(title), callback_data=await callback_data_for(payload))])
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard() -> InlineKeyboardMarkup:
    """Svenska · العربية · دری, each language in its own name."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(NATIVE_NAMES[code], callback_data=switch_language_payload(code))
                                  for code in LANGUAGES]])


async def municipalities_with_facts() -> List[str]:
    """Codes of the municipalities the assistant has local facts for: those with the most
    verified facts first (the buttons are limited, and since issue 13 thirty municipalities
    have facts), then by name."""
    snapshot = await content_store().current_async()
    verified = {code: sum(1 for f in facts if not f.is_example and f.verified_on) for code, facts in snapshot.facts.items()}
    known = [directory().get(code) for code in snapshot.facts]
    ranked = sorted((m for m in known if m is not None), key=lambda m: (-verified[m.code], m.name))
    return [m.code for m in ranked][:MAX_MUNICIPALITY_BUTTONS]


def _rows(buttons: List[InlineKeyboardButton], per_row: int) -> Iterable[List[InlineKeyboardButton]]:
    for start in range(0, len(buttons), per_row):
        yield buttons[start:start + per_row]


async def municipality_keyboard(language: str) -> InlineKeyboardMarkup:
    """The municipalities with local facts, named in the user's language, and "another one"."""
    buttons = []
    for code in await municipalities_with_facts():
        name = directory().get(code).display_name(language)
        buttons.append(InlineKeyboardButton(isolate_ltr_runs(name, language),
                                            callback_data=inform_municipality_payload(code)))
    rows = list(_rows(buttons, MUNICIPALITIES_PER_ROW))
    rows.append([InlineKeyboardButton(isolate_ltr_runs(translate(language, texts.OTHER_MUNICIPALITY), language),
                                      callback_data=OTHER_MUNICIPALITY_ACTION)])
    return InlineKeyboardMarkup(rows)
