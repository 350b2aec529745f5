"""Settings from the environment (CONTRACT.md), read in one place for every process."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWCOMER_VAR_DIR", ROOT / "var"))


@dataclass(frozen=True)
class DatabaseConfig:
    """``DATABASE_URL`` taken apart: what Django and Rasa's SQL tracker store each need."""

    dialect: str  # "sqlite" or "postgresql"
    name: str  # file path for SQLite, database name for PostgreSQL
    host: Optional[str] = None
    port: Optional[int] = None
    user: Optional[str] = None
    password: Optional[str] = None


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'newcomer.sqlite3'}"


def parse_database_url(url: str) -> DatabaseConfig:
    """``sqlite:///abs/path.db``, ``sqlite:///rel.db`` or ``postgresql://user:pw@host:5432/db``."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = unquote(url.split("sqlite:///", 1)[1]) if "sqlite:///" in url else ""
        if not path:
            raise ValueError("DATABASE_URL for SQLite must look like sqlite:///path/to/file.sqlite3")
        if not path.startswith("/"):
            path = str(ROOT / path)
        return DatabaseConfig("sqlite", path)
    if scheme in ("postgres", "postgresql"):
        return DatabaseConfig(
            "postgresql",
            parsed.path.lstrip("/"),
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
        )
    raise ValueError(f"DATABASE_URL scheme {scheme!r} is not supported (use sqlite or postgresql)")


def database() -> DatabaseConfig:
    config = parse_database_url(database_url())
    if config.dialect == "sqlite":
        Path(config.name).parent.mkdir(parents=True, exist_ok=True)
    return config


def rasa_token() -> str:
    """``RASA_TOKEN``, or one generated once for the dev stack and kept in ``var/``."""
    token = os.environ.get("RASA_TOKEN")
    if token:
        return token
    path = VAR_DIR / "rasa_token"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def rasa_url() -> str:
    return os.environ.get("RASA_URL", "http://127.0.0.1:5005")


def facts_offline() -> bool:
    return os.environ.get("FACTS_OFFLINE", "0") == "1"


def content_refresh_seconds() -> float:
    """How often the action server looks for published content changes."""
    return float(os.environ.get("CONTENT_REFRESH_SECONDS", "2"))


def trusted_proxies() -> List["ipaddress._BaseNetwork"]:
    """``TRUSTED_PROXIES``: addresses or networks (comma-separated) of our own reverse proxies,
    whose ``X-Forwarded-For`` names the real client. Empty by default: trust no header."""
    networks = []
    for item in os.environ.get("TRUSTED_PROXIES", "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:  # a typo must not make every sign-in fail; it trusts nobody instead
                logging.getLogger(__name__).warning("TRUSTED_PROXIES: %r is no address or network", item)
    return networks
