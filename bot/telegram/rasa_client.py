"""The assistant as the Telegram worker reaches it: Rasa's REST channel and HTTP API.

``send`` posts one message (CONTRACT.md: sender, message, metadata) and returns the bot's
messages. It sends the Rasa token as ``Authorization: Bearer`` (never in the URL, so it stays
out of logs): only token holders may use ``telegram-…`` ids (bot/web_sessions.py), so this
worker is the only way into a Telegram user's conversation. ``conversation_language`` reads the ``language`` slot from the tracker (HTTP API,
with the token), for the few texts the Telegram layer writes itself.

A Rasa that cannot answer (connection refused, timeout, a 5xx) raises ``RasaUnavailable``: the
caller keeps the message and tries again later. A 4xx raises ``RasaRejected``: sending the
same request again would not help.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from urllib.parse import quote

import httpx

from bot.language import canonical_language

logger = logging.getLogger(__name__)

# An answer takes well under a second; 30 s leaves room for a cold start without letting a
# hung server hold a chat forever. The tracker is only read for short texts: give up sooner.
MESSAGE_TIMEOUT_SECONDS = 30.0
TRACKER_TIMEOUT_SECONDS = 3.0


class RasaUnavailable(Exception):
    """Rasa did not answer; the same request may work later."""


class RasaRejected(Exception):
    """Rasa refused the request (4xx); retrying would not help."""


class RasaClient:
    """One HTTP client for the REST channel and the tracker API of one Rasa server."""

    def __init__(self, base_url: str, token: str, http: Optional[httpx.AsyncClient] = None):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = http or httpx.AsyncClient(timeout=MESSAGE_TIMEOUT_SECONDS)
        self._auth = {"Authorization": f"Bearer {token}"}

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The assistant's messages in reply to ``text``: dicts with ``text`` and ``buttons``."""
        replies = await self._request("POST", "/webhooks/rest/webhook",
                                      json={"sender": sender, "message": text, "metadata": metadata},
                                      headers=self._auth)
        return [reply for reply in replies if isinstance(reply, dict)] if isinstance(replies, list) else []

    async def conversation_language(self, sender: str) -> Optional[str]:
        """The ``language`` slot of the conversation, or None when it has none yet."""
        tracker = await self._request("GET", f"/conversations/{quote(sender, safe='')}/tracker",
                                      # The header, not ?token=: bot.rasa_server accepts it, and it
                                      # stays out of URLs and access logs.
                                      params={"include_events": "NONE"}, headers=self._auth,
                                      timeout=TRACKER_TIMEOUT_SECONDS)
        slots = tracker.get("slots") if isinstance(tracker, dict) else None
        return canonical_language((slots or {}).get("language"))

    async def _request(self, method: str, path: str, timeout: Optional[float] = None, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, self.base_url + path,
                                                timeout=timeout or MESSAGE_TIMEOUT_SECONDS, **kwargs)
        except httpx.HTTPError as error:  # refused, reset, timed out, DNS
            raise RasaUnavailable(f"{method} {path}: {error!r}") from error
        if response.status_code >= 500:
            raise RasaUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise RasaRejected(f"{method} {path}: HTTP {response.status_code} {response.text[:200]}")
        try:
            return response.json()
        except ValueError as error:
            raise RasaUnavailable(f"{method} {path}: the answer is not JSON") from error
