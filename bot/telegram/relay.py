"""The way from a Telegram chat to the assistant and back, and what happens when Rasa is down.

``Relay.forward`` sends what a user wrote (or the payload of a button) to Rasa and sends every
reply back to the chat, in order. When Rasa cannot be reached the message is stored
(``PendingMessage``), the user gets a short apology in their language, and the redelivery
loop (``run_redelivery``) keeps trying, with growing pauses, until Rasa answers; then the
answer goes to the chat. A chat with waiting messages queues new ones behind them, so the
answers keep the order of the questions. One lock per chat keeps the direct path and the
redelivery loop from interleaving.

The conversation's language lives in the Rasa tracker. The Telegram layer reads it only when
it writes something itself (``language_of``); while Rasa is down it falls back to the language
the assistant last answered in, then to the language of the user's Telegram app.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.i18n import translate
from bot.language import DEFAULT_LANGUAGE, canonical_language, choose_reply_language, detect_language
from bot.telegram import store, texts
from bot.telegram.formatting import isolate_ltr_runs, split_message
from bot.telegram.keyboards import assistant_keyboard
from bot.telegram.rasa_client import RasaClient, RasaRejected, RasaUnavailable

logger = logging.getLogger(__name__)

SENDER_PREFIX = "telegram-"
CHANNEL = "telegram"
KNOWN_LANGUAGES_KEPT = 10_000
_ISOLATED = re.compile("\u2068[^\u2069]*\u2069")


@dataclass(frozen=True)
class ChatRef:
    """One Telegram chat as the assistant knows it."""

    chat_id: int
    telegram_language: Optional[str] = None  # sv, ar or fa_AF from the user's app, if it is one of them

    @classmethod
    def from_update(cls, update: Update) -> "ChatRef":
        user = update.effective_user
        # Telegram says "fa" for Dari and Iranian Persian alike; canonical_language serves Dari.
        return cls(update.effective_chat.id, canonical_language(user.language_code) if user else None)

    @property
    def sender(self) -> str:
        return f"{SENDER_PREFIX}{self.chat_id}"

    def metadata(self) -> Dict[str, str]:
        """REST metadata: the front end, and the app's language as the starting context."""
        metadata = {"channel": CHANNEL}
        if self.telegram_language:
            metadata["language"] = self.telegram_language
        return metadata


class Relay:
    """Sends messages to the assistant and its replies to Telegram (see module docstring)."""

    def __init__(self, bot: Bot, rasa: RasaClient, idle_check_seconds: float = 5.0,
                 first_retry_seconds: float = 1.0, max_retry_seconds: float = 30.0):
        self.bot = bot
        self.rasa = rasa
        self.idle_check_seconds = idle_check_seconds
        self.first_retry_seconds = first_retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self._locks: "weakref.WeakValueDictionary[int, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._wakeup = asyncio.Event()
        self._last_languages: "OrderedDict[str, str]" = OrderedDict()

    async def close(self) -> None:
        await self.rasa.close()

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    # -- to the assistant ---------------------------------------------------------------------
    async def forward(self, chat: ChatRef, text: str) -> None:
        """Send ``text`` to the assistant and its replies to the chat; queue it if Rasa is down."""
        async with self._lock(chat.chat_id):
            if await store.has_pending(chat.chat_id):
                await store.add_pending(chat.chat_id, chat.sender, text, chat.metadata(), "queued behind earlier messages")
                self.wake()
                return
            await self._show_typing(chat.chat_id)
            try:
                replies = await self.rasa.send(chat.sender, text, chat.metadata())
            except RasaUnavailable as error:
                logger.warning("Rasa unavailable for %s, message kept for later: %s", chat.sender, error)
                await store.add_pending(chat.chat_id, chat.sender, text, chat.metadata(), str(error))
                await self._apologise(chat, text, texts.QUEUED_APOLOGY)
                self.wake()
                return
            except RasaRejected as error:
                logger.error("Rasa refused the message of %s: %s", chat.sender, error)
                await self._apologise(chat, text, texts.FAILED_APOLOGY)
                return
            await self.deliver(chat.chat_id, chat.sender, replies)

    async def _apologise(self, chat: ChatRef, text: str, msgid: str) -> None:
        # A typed message may show its language even when nothing else can be asked; a button
        # payload ("/sfi_cost") shows none.
        language = choose_reply_language("" if text.startswith("/") else text, await self.language_of(chat))
        await self.say(chat.chat_id, translate(language, msgid), language)

    async def _show_typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as error:  # only a courtesy: never hold up the answer for it
            logger.debug("typing indicator for %s failed: %s", chat_id, error)

    # -- back to the chat ---------------------------------------------------------------------
    async def deliver(self, chat_id: int, sender: str, replies: List[Dict[str, Any]]) -> None:
        """Send the assistant's replies to the chat, in order, buttons as inline keyboards."""
        self._remember_reply_language(sender, replies)
        for reply in replies:
            text = reply.get("text") or reply.get("image") or ""
            keyboard = await assistant_keyboard(reply.get("buttons") or [])
            if text.strip():
                await self.say(chat_id, text, keyboard=keyboard)
            elif keyboard:  # Telegram needs some text to hang buttons on
                await self.say(chat_id, "…", keyboard=keyboard)

    async def say(self, chat_id: int, text: str, language: Optional[str] = None,
                  keyboard: Optional[InlineKeyboardMarkup] = None) -> None:
        """Send one text, isolated and split under Telegram's limit; the keyboard goes with the
        last part, below the whole text."""
        parts = split_message(isolate_ltr_runs(text, language))
        for index, part in enumerate(parts):
            await self.bot.send_message(chat_id, part, reply_markup=keyboard if index == len(parts) - 1 else None)

    # -- the conversation's language ----------------------------------------------------------
    async def language_of(self, chat: ChatRef) -> Optional[str]:
        """The conversation's language from the tracker; else the last known one; else the
        Telegram app's; None when none of them is sv, ar or Dari."""
        try:
            language = await self.rasa.conversation_language(chat.sender)
        except (RasaUnavailable, RasaRejected) as error:
            logger.info("tracker of %s not readable (%s); using the last known language", chat.sender, error)
            language = None
        if language:
            self._remember_language(chat.sender, language)
        return language or self._last_languages.get(chat.sender) or chat.telegram_language

    async def language_or_default(self, chat: ChatRef) -> str:
        return await self.language_of(chat) or DEFAULT_LANGUAGE

    def _remember_language(self, sender: str, language: str) -> None:
        self._last_languages[sender] = language
        self._last_languages.move_to_end(sender)
        while len(self._last_languages) > KNOWN_LANGUAGES_KEPT:
            self._last_languages.popitem(last=False)

    def _remember_reply_language(self, sender: str, replies: List[Dict[str, Any]]) -> None:
        """Note the language the assistant answered in, for when the tracker cannot be read."""
        prose = _ISOLATED.sub(" ", " ".join(r.get("text") or "" for r in replies))
        detection = detect_language(prose)
        if detection.confident and detection.language:
            self._remember_language(sender, detection.language)

    # -- redelivery ---------------------------------------------------------------------------
    def wake(self) -> None:
        """Make the redelivery loop look at the waiting messages now."""
        self._wakeup.set()

    async def redeliver_pending(self) -> bool:
        """Deliver waiting messages, each chat's in order; False if Rasa is still unreachable."""
        for chat_id in await store.chats_with_pending():
            async with self._lock(chat_id):
                if not await self._redeliver_chat(chat_id):
                    return False
        return True

    async def _redeliver_chat(self, chat_id: int) -> bool:
        while (message := await store.next_pending(chat_id)) is not None:
            try:
                replies = await self.rasa.send(message["sender"], message["text"], message["metadata"])
            except RasaUnavailable as error:
                await store.record_failed_attempt(message["id"], str(error))
                return False
            except RasaRejected as error:  # it will never be accepted: tell the user, go on
                logger.error("Rasa refused a kept message of %s: %s", message["sender"], error)
                await store.mark_delivered(message["id"])
                chat = ChatRef(chat_id, canonical_language(message["metadata"].get("language")))
                await self._apologise(chat, message["text"], texts.FAILED_APOLOGY)
                continue
            await store.mark_delivered(message["id"])
            logger.info("kept message %s of %s delivered to Rasa", message["id"], message["sender"])
            try:
                await self.deliver(chat_id, message["sender"], replies)
            except TelegramError as error:  # the bot is blocked, or Telegram failed past the retries
                logger.error("could not send the late answer to %s: %s", message["sender"], error)
        return True

    async def run_redelivery(self) -> None:
        """Retry waiting messages forever: at once when woken, every ``idle_check_seconds``
        otherwise, with pauses doubling up to ``max_retry_seconds`` while Rasa stays down."""
        failures = 0
        while True:
            pause = (self.idle_check_seconds if failures == 0
                     else min(self.first_retry_seconds * 2 ** (failures - 1), self.max_retry_seconds))
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=pause)
            except asyncio.TimeoutError:
                pass
            self._wakeup.clear()
            try:
                reachable = await self.redeliver_pending()
            except Exception:  # the database, or a bug: log it and keep the loop alive
                logger.exception("redelivery round failed")
                reachable = False
            failures = 0 if reachable else failures + 1
