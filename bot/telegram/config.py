"""Settings of the Telegram front end, from the environment (CONTRACT.md, docs/telegram.md).

Read by the worker (``python -m bot.telegram``) and by the webhook view on the web app, so
both agree on the mode and the secret.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

from bot import settings

POLLING = "polling"
WEBHOOK = "webhook"
MODES = (POLLING, WEBHOOK)
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
# What the Bot API accepts as secret_token: 1–256 characters A–Z, a–z, 0–9, _ and -.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(ValueError):
    """The environment does not describe a worker that can run; the text says what to set."""


def mode(environ: Mapping[str, str] = os.environ) -> str:
    return (environ.get("TELEGRAM_MODE") or POLLING).strip().lower()


def webhook_secret(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The secret Telegram must send in X-Telegram-Bot-Api-Secret-Token, if configured."""
    return environ.get("TELEGRAM_WEBHOOK_SECRET") or None


def webhook_accepts_updates(environ: Mapping[str, str] = os.environ) -> bool:
    """The webhook route takes updates only in webhook mode and only with a secret set."""
    return mode(environ) == WEBHOOK and webhook_secret(environ) is not None


def file_url_for(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; a local Bot API server does the same."""
    stripped = base_url.rstrip("/")
    if stripped.endswith("/bot"):
        return stripped[: -len("/bot")] + "/file/bot"
    return stripped + "/file/bot"


@dataclass(frozen=True)
class TelegramConfig:
    """Everything the worker needs to run."""

    token: str
    rasa_url: str
    rasa_token: str
    mode: str = POLLING
    base_url: str = DEFAULT_BASE_URL
    base_file_url: Optional[str] = None
    webhook_url: Optional[str] = None
    webhook_secret: Optional[str] = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "TelegramConfig":
        token = (environ.get("TELEGRAM_TOKEN") or "").strip()
        if not token:
            raise ConfigError("TELEGRAM_TOKEN is not set, so the Telegram front end is off. "
                              "Get a token from @BotFather and set TELEGRAM_TOKEN (docs/telegram.md).")
        base_url = (environ.get("TELEGRAM_BASE_URL") or DEFAULT_BASE_URL).strip()
        config = cls(
            token=token,
            rasa_url=(environ.get("RASA_URL") or settings.rasa_url()).rstrip("/"),
            rasa_token=settings.rasa_token(),
            mode=mode(environ),
            base_url=base_url,
            base_file_url=(environ.get("TELEGRAM_BASE_FILE_URL") or file_url_for(base_url)),
            webhook_url=(environ.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None,
            webhook_secret=webhook_secret(environ),
        )
        config.check()
        return config

    def check(self) -> None:
        """Raise ``ConfigError`` for a combination that cannot work."""
        if self.mode not in MODES:
            raise ConfigError(f"TELEGRAM_MODE must be 'polling' or 'webhook', not {self.mode!r}.")
        if self.mode == WEBHOOK:
            if not self.webhook_secret:
                raise ConfigError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: Telegram sends it with "
                                  "every update and the web app refuses updates without it.")
            if not _SECRET_TOKEN.match(self.webhook_secret):
                raise ConfigError("TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - "
                                  "(1 to 256 characters), as the Bot API requires.")
            if not self.webhook_url:
                raise ConfigError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL, the public HTTPS address "
                                  "of the web app's route, e.g. https://bot.example.se/telegram/webhook.")
