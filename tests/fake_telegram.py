"""Test doubles and set-up for the Telegram tests.

* ``FakeBotApi``: a Bot API server on 127.0.0.1 (aiohttp, random port) that answers what
  python-telegram-bot calls, in the documented shapes (https://core.telegram.org/bots/api):
  getMe, getUpdates (long poll, honours ``offset``), sendMessage, answerCallbackQuery,
  sendChatAction, setWebhook, deleteWebhook, getWebhookInfo, setMyCommands. It records every
  call, and can answer the next sendMessage calls with 429 (``retry_after``), 400 or 500.
* Update builders (``text_update``, ``callback_update``, ``photo_update`` …) in Bot API JSON.
* ``SwitchableProxy``: an HTTP proxy in front of the real Rasa server that can be taken down
  (connections refused) and brought back, to test what the worker does while Rasa is down.
* ``catalogs_with_telegram_strings``: until the Telegram strings are merged into
  ``locales/``, a temporary copy of the catalogs with them added, so that tests can check
  Arabic and Dari texts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from aiohttp import ClientSession, web

BOT_USER = {"id": 700000001, "is_bot": True, "first_name": "Newcomer test bot", "username": "newcomer_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_LONG_POLL_SECONDS = 2.0  # the fake never holds a getUpdates longer, so tests stop quickly


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Call:
    """One request the worker made: the Bot API method, its parameters, when, and the answer."""

    method: str
    params: Dict[str, Any]
    at: float
    status: int = 200


@dataclass
class FakeBotApi:
    """A Bot API server for one bot token (see module docstring)."""

    token: str = "700000001:TEST-token_for-the-fake-bot-api"
    calls: List[Call] = field(default_factory=list)
    _updates: List[dict] = field(default_factory=list)
    _send_failures: List[int] = field(default_factory=list)
    _update_ids: Any = field(default_factory=lambda: itertools.count(1000))
    _message_ids: Any = field(default_factory=lambda: itertools.count(1))
    _new_update: Optional[asyncio.Event] = None
    _runner: Optional[web.AppRunner] = None
    port: int = 0

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` (a free one if 0)."""
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what tests do ------------------------------------------------------------------------
    def push_update(self, update: dict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update["update_id"]

    def new_update_id(self) -> int:
        return next(self._update_ids)

    def fail_next_sends(self, count: int, status: int) -> None:
        """Answer the next ``count`` sendMessage calls with 429 (retry after 1 s), 400 or 500."""
        self._send_failures.extend([status] * count)

    def calls_to(self, method: str, chat_id: Optional[int] = None) -> List[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def sent(self, chat_id: int) -> List[Dict[str, Any]]:
        """The messages that reached the chat (sendMessage calls answered with 200), in order."""
        return [c.params for c in self.calls_to("sendMessage", chat_id) if c.status == 200]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; calls: "
                             f"{[(c.method, c.params.get('text', '')[:60]) for c in self.calls[-15:]]}")

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 30) -> List[Dict[str, Any]]:
        """Wait until the chat has at least ``count`` messages; returns all of them."""
        return await self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout,
                                   f"{count} messages to chat {chat_id}")

    # -- the Bot API --------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(404, "Not Found")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        answer = getattr(self, f"_api_{method}", None)
        if answer is None:
            call.status = 404
            return self._error(404, "Not Found: method not found")
        response = await answer(params)
        call.status = response.status
        return response

    @staticmethod
    async def _params(request: web.Request) -> Dict[str, Any]:
        """PTB sends form fields with JSON-encoded objects; decode what is JSON."""
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params = {}
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] in "{[":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
        if "chat_id" in params:
            params["chat_id"] = int(params["chat_id"])
        return params

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, parameters: Optional[dict] = None) -> web.Response:
        body = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _api_getMe(self, params):
        return self._ok(BOT_USER)

    async def _api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed ones are gone
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout") or 0), MAX_LONG_POLL_SECONDS)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=wait)
            except asyncio.TimeoutError:
                pass
        limit = int(params.get("limit") or 100)
        return self._ok(self._updates[:limit])

    async def _api_sendMessage(self, params):
        if self._send_failures:
            status = self._send_failures.pop(0)
            if status == 429:
                return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            if status == 400:
                return self._error(400, "Bad Request: message is too long")
            return self._error(status, "Internal Server Error")
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": params["chat_id"], "type": "private"}, "from": BOT_USER, "text": params["text"]}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return self._ok(message)

    async def _api_answerCallbackQuery(self, params):
        return self._ok(True)

    async def _api_sendChatAction(self, params):
        return self._ok(True)

    async def _api_setWebhook(self, params):
        return self._ok(True)

    async def _api_deleteWebhook(self, params):
        return self._ok(True)

    async def _api_getWebhookInfo(self, params):
        url = next((c.params.get("url", "") for c in reversed(self.calls_to("setWebhook"))), "")
        return self._ok({"url": url, "has_custom_certificate": False, "pending_update_count": 0})

    async def _api_setMyCommands(self, params):
        return self._ok(True)


# --- updates, as Telegram sends them ------------------------------------------------------------

def user(chat_id: int, language_code: Optional[str]) -> dict:
    sender = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        sender["language_code"] = language_code
    return sender


def message(chat_id: int, language_code: Optional[str], **content: Any) -> dict:
    return {"message_id": int(time.time() * 1000) % 1_000_000, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": user(chat_id, language_code), **content}


def text_update(chat_id: int, text: str, language_code: Optional[str] = "sv") -> dict:
    content: Dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message(chat_id, language_code, **content)}


def callback_update(chat_id: int, data: str, language_code: Optional[str] = "sv", query_id: str = "q1") -> dict:
    """A press on an inline button of an earlier bot message."""
    pressed_on = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                  "from": BOT_USER, "text": "…"}
    return {"callback_query": {"id": query_id, "from": user(chat_id, language_code), "message": pressed_on,
                               "chat_instance": f"ci-{chat_id}", "data": data}}


_FILE = {"file_id": "AgACAgQAAxkBAAIB", "file_unique_id": "AQADAgAD"}
NON_TEXT_CONTENT = {
    "photo": {"photo": [{**_FILE, "width": 90, "height": 67, "file_size": 1200}]},
    "sticker": {"sticker": {**_FILE, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                            "is_video": False}},
    "voice": {"voice": {**_FILE, "duration": 3, "mime_type": "audio/ogg"}},
    "document": {"document": {**_FILE, "file_name": "beslut.pdf", "mime_type": "application/pdf"}},
    "video": {"video": {**_FILE, "width": 640, "height": 360, "duration": 5}},
}


def non_text_update(chat_id: int, kind: str, language_code: Optional[str] = "sv", caption: Optional[str] = None) -> dict:
    content = dict(NON_TEXT_CONTENT[kind])
    if caption:
        content["caption"] = caption
    return {"message": message(chat_id, language_code, **content)}


def location_update(chat_id: int, language_code: Optional[str] = "sv") -> dict:
    return {"message": message(chat_id, language_code, location={"latitude": 59.3103, "longitude": 18.1637})}


# --- Rasa that can go down ------------------------------------------------------------------------

class SwitchableProxy:
    """Forwards HTTP to ``target`` while up; while down nothing listens on its port."""

    def __init__(self, target: str):
        self.target = target.rstrip("/")
        self.port = free_port()
        self._runner: Optional[web.AppRunner] = None
        self._session: Optional[ClientSession] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def come_up(self) -> None:
        self._session = self._session or ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def go_down(self) -> None:
        if self._runner:
            await self._runner.cleanup()  # closes the listening socket and open connections
            self._runner = None

    async def close(self) -> None:
        await self.go_down()
        if self._session:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        headers = {"Content-Type": request.content_type}
        if "Authorization" in request.headers:  # the worker's Rasa token (bot/telegram/rasa_client.py)
            headers["Authorization"] = request.headers["Authorization"]
        async with self._session.request(request.method, self.target + request.path_qs, data=await request.read(),
                                         headers=headers) as answer:
            return web.Response(body=await answer.read(), status=answer.status, content_type=answer.content_type)


# --- catalogs --------------------------------------------------------------------------------------

def telegram_msgids() -> List[str]:
    from bot.telegram import texts

    names = [name for name in texts.__all__ if name != "COMMAND_DESCRIPTIONS"]
    return [getattr(texts, name) for name in names] + list(texts.COMMAND_DESCRIPTIONS.values())


def catalogs_with_telegram_strings(strings_file: Path, target: Path) -> Optional[Path]:
    """A copy of ``locales/`` with the Telegram strings added from ``strings_file``
    ({msgid: {"sv", "ar", "fa_AF"}}), or None when the real catalogs already have them all."""
    from babel.messages.pofile import read_po, write_po

    from bot import i18n
    from bot.language import LANGUAGES

    missing = {m for m in telegram_msgids() for language in LANGUAGES if m not in i18n.catalog(language)}
    if not missing:
        return None
    if not strings_file.exists():
        raise FileNotFoundError(f"{len(missing)} Telegram strings are not in locales/ yet and {strings_file} "
                                "is missing: merge them into the catalogs (make locales)")
    strings = json.loads(strings_file.read_text(encoding="utf-8"))
    shutil.copytree(i18n.LOCALES_DIR, target)
    for language in LANGUAGES:
        path = target / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for msgid, translations in strings.items():
            entry = catalog.get(msgid)
            if entry is None:
                catalog.add(msgid, string=translations[language])
            elif not entry.string or entry.fuzzy:  # extracted already, not translated yet
                entry.string = translations[language]
                entry.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog)
    return target
