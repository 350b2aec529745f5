"""Signed web sessions and caller identity for the REST channel (issue 12, items 2 and 5).

Each channel owns its conversation ids. An anonymous caller (the web widget) cannot choose its
id: it asks ``POST /webhooks/rest/session`` for one and gets ``web-<random>`` together with an
HMAC of that id under a server secret; every message and every poll of staff replies
(``/widget/messages`` on the web app) must carry that signature. So nobody can write into, or
read the staff replies of, a conversation they did not start, and a ``telegram-…`` id can only
come from a caller holding the Rasa token (the Telegram worker, operators' scripts, tests).

The Rasa server and the Django web app both verify signatures, so both read the same secret:
``WEB_SESSION_SECRET`` when set (several hosts), otherwise a random one generated once into
``var/web_session_secret``, readable by its owner only.

Sender ids have one strict pattern (``SENDER_PATTERN``): letters, digits, ``_``, ``-`` and
``.`` (not first), at most 128 characters. An id that passes it needs no escaping in a URL
path, a log line or an HTML attribute, so every place that builds ``/conversations/<id>/…`` or
a staff page URL sees the same id.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from typing import Optional

from bot import settings

# Any caller holding the token: conservative enough to be safe in URLs, paths and logs
# ("." may not come first, so "." and ".." are never ids).
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")
# Anonymous (web) callers: only ids this module issued.
WEB_SENDER_PATTERN = re.compile(r"^web-[A-Za-z0-9_-]{16,64}$")
SECRET_ENV = "WEB_SESSION_SECRET"
SECRET_FILE = "web_session_secret"
# 24 random bytes = 192 bits, 32 URL-safe characters.
SENDER_RANDOM_BYTES = 24
_DOMAIN = b"newcomer-web-session\x00"  # the MAC of this secret is used for nothing else


def valid_sender(sender: object) -> bool:
    """True for an id any caller may use (see ``SENDER_PATTERN``)."""
    return isinstance(sender, str) and bool(SENDER_PATTERN.match(sender))


@functools.lru_cache(maxsize=1)
def secret() -> bytes:
    """The signing secret: ``WEB_SESSION_SECRET`` or ``var/web_session_secret`` (created once, 0600)."""
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode("utf-8")
    path = settings.VAR_DIR / SECRET_FILE
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file and linked into place: the Rasa server and the
        # web app may start at the same moment, and both must end up with the same secret.
        fd, temporary = tempfile.mkstemp(dir=settings.VAR_DIR, prefix=".web_session_secret.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # the other process was first: use its secret
        finally:
            os.unlink(temporary)
    value = path.read_text().strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds no usable secret; delete it to have a new one generated")
    return value.encode("utf-8")


def sign(sender: str) -> str:
    """The session signature of ``sender`` (URL-safe base64 of an HMAC-SHA256)."""
    mac = hmac.new(secret(), _DOMAIN + sender.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_session() -> dict:
    """A fresh web conversation: ``{"sender": "web-…", "session": "<signature>"}``."""
    sender = "web-" + secrets.token_urlsafe(SENDER_RANDOM_BYTES)
    return {"sender": sender, "session": sign(sender)}


def verify(sender: object, signature: object) -> bool:
    """True when ``signature`` is this server's signature of the web id ``sender`` (constant time)."""
    if not isinstance(sender, str) or not isinstance(signature, str) or not WEB_SENDER_PATTERN.match(sender):
        return False
    return hmac.compare_digest(sign(sender).encode("ascii"), signature.encode("utf-8", "replace"))


def address_key(address: str) -> str:
    """A pseudonym of a client address (an HMAC under the session secret, 22 characters): it
    lets the hand-off count open tickets per address without storing the address itself."""
    mac = hmac.new(secret(), b"newcomer-client-address\x00" + address.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode("ascii")


def token_matches(presented: Optional[str]) -> bool:
    """True when ``presented`` is the Rasa token (constant time; an empty value never is)."""
    if not presented:
        return False
    return hmac.compare_digest(settings.rasa_token().encode("utf-8"), presented.encode("utf-8", "replace"))


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
