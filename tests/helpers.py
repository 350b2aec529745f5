"""Helpers for tests: a REST client for the conversation API and checks on reply language."""

import re
import uuid
from typing import List, Optional

import requests

from bot.settings import rasa_token

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[A-Za-zÅÄÖåäö]")


class RestClient:
    """Rasa's REST channel and HTTP API, as an outside client uses them (CONTRACT.md).

    By default it holds the Rasa token (``Authorization: Bearer``), like an operator's script,
    so it may use any sender id and payload; ``RestClient(url, token=False)`` is an anonymous
    newcomer-side caller, which needs ``web_session()`` first (bot/web_sessions.py)."""

    def __init__(self, base_url: str, token: bool = True):
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {rasa_token()}"} if token else {}
        self.sessions = {}  # web sender → its signature, for anonymous posts

    @staticmethod
    def new_sender() -> str:
        return f"test-{uuid.uuid4().hex[:12]}"

    def web_session(self) -> str:
        """A new signed web conversation (``POST /webhooks/rest/session``); returns its sender id."""
        response = requests.post(f"{self.base_url}/webhooks/rest/session", timeout=10)
        assert response.status_code == 200, response.text
        answer = response.json()
        self.sessions[answer["sender"]] = answer["session"]
        return answer["sender"]

    def post(self, payload, timeout: float = 30, headers: Optional[dict] = None) -> requests.Response:
        if isinstance(payload, dict) and payload.get("sender") in self.sessions and "session" not in payload:
            payload = {**payload, "session": self.sessions[payload["sender"]]}
        return requests.post(f"{self.base_url}/webhooks/rest/webhook", json=payload, timeout=timeout,
                             headers=self.headers if headers is None else headers)

    def send(self, sender: str, message: str, metadata: Optional[dict] = None) -> List[dict]:
        payload = {"sender": sender, "message": message}
        if metadata is not None:
            payload["metadata"] = metadata
        response = self.post(payload)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        replies = response.json()
        assert replies, f"no reply to {message!r}: the bot must never drop a message silently"
        return replies

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.base_url}/conversations/{sender}/tracker",
                                params={"token": rasa_token()}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


def text_of(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def button_titles(replies: List[dict]) -> List[str]:
    return [b["title"] for r in replies for b in r.get("buttons", [])]


def script_share(text: str) -> float:
    """Share of letters that are Arabic-script (0 = all Latin)."""
    arabic, latin = len(_ARABIC_SCRIPT.findall(text)), len(_LATIN.findall(text))
    return arabic / max(1, arabic + latin)


def assert_language(replies: List[dict], language: str) -> None:
    """Every reply and button is in ``language``: the script, and for Arabic vs Dari the letters."""
    from bot.language import detect_language

    for reply in replies:
        for text in [reply.get("text", "")] + [b["title"] for b in reply.get("buttons", [])]:
            prose = re.sub(r"https?://\S+|\u2068[^\u2069]*\u2069|\([^)]*\)|SFI|sfi", " ", text)
            if not re.search(r"\w{3,}", prose):
                continue
            if language == "sv":
                assert script_share(prose) == 0, f"not Swedish: {text!r}"
            else:
                assert script_share(prose) > 0.8, f"not in Arabic script: {text!r}"
    whole = " ".join(r.get("text", "") for r in replies)
    if language in ("ar", "fa_AF") and len(whole) > 60:
        assert detect_language(whole).language == language, f"expected {language}: {whole[:200]!r}"
        if language == "ar":
            assert not re.search("[پچژگیک]", whole), "Persian letters in an Arabic reply"
        else:
            assert not re.search("[يكة]", whole), "Arabic letters in a Dari reply"
