"""Settings from the environment (CONTRACT.md), read in one place for every process."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional
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
        if Path(config.name).parent == VAR_DIR:
            private_var_dir()
        Path(config.name).parent.mkdir(parents=True, exist_ok=True)
    return config


def private_var_dir() -> Path:
    """``var/``, created (or tightened) so that only the owner can enter it: it holds the
    generated secrets, the SQLite database (sessions, password hashes, transcripts) and logs."""
    VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    if VAR_DIR.stat().st_mode & 0o077:
        VAR_DIR.chmod(0o700)
    return VAR_DIR


def _generated_secret(name: str, nbytes: int) -> str:
    """A secret of ``nbytes`` random bytes kept in ``var/<name>``, created once with mode 0600
    (never world-readable, not even for a moment) and tightened if someone loosened it."""
    path = private_var_dir() / name
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: another process
        # starting at the same moment either wins the link or reads the finished file.
        temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(nbytes))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    value = path.read_text().strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds no usable secret; delete it and start again")
    return value


def rasa_token() -> str:
    """``RASA_TOKEN``, or one generated once for the dev stack and kept in ``var/rasa_token``."""
    return os.environ.get("RASA_TOKEN") or _generated_secret("rasa_token", 32)


def django_secret_key() -> str:
    """``DJANGO_SECRET_KEY``, or one generated once into ``var/django_secret_key``: its own
    random bytes, nothing derived from the Rasa token (whoever holds that token must not be
    able to sign staff sessions or password-reset links)."""
    return os.environ.get("DJANGO_SECRET_KEY") or _generated_secret("django_secret_key", 48)


def secure_database_files() -> None:
    """An SQLite database and its journal files owner-only (0600), also when they were
    created earlier with looser modes. PostgreSQL manages its own files."""
    config = parse_database_url(database_url())
    if config.dialect != "sqlite":
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(config.name + suffix)
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


def rasa_cors_origins(web_origin: str, environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The only origins whose pages may call Rasa from a browser: the web app's own (its demo
    page embeds the widget), ``RASA_PUBLIC_URL``'s, and those in ``RASA_CORS_ORIGINS``
    (comma-separated: the municipalities' sites that embed the widget). Never ``*``."""
    environ = os.environ if environ is None else environ
    configured = [o.strip().rstrip("/") for o in environ.get("RASA_CORS_ORIGINS", "").split(",") if o.strip()]
    origins = [web_origin, web_origin.replace("://127.0.0.1:", "://localhost:")]
    public = urlparse(environ.get("RASA_PUBLIC_URL") or rasa_url())
    origins.append(f"{public.scheme}://{public.netloc}")
    return list(dict.fromkeys(origins + [o for o in configured if o != "*"]))


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
