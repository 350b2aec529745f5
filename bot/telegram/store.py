"""The Telegram worker's database access: the webhook inbox, the messages waiting for Rasa,
and the table of long button payloads (models in ``webapp/telegram/models.py``).

Each function is a plain ORM call run in Django's database thread (``sync_to_async``), after
dropping connections that went stale: the worker is a long-lived process, not a request, so
Django would never do that for it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

T = TypeVar("T")
ERROR_CHARS = 300


def database(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run ``function`` in Django's database thread with a usable connection."""

    @functools.wraps(function)
    def with_fresh_connection(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        return function(*args, **kwargs)

    return sync_to_async(with_fresh_connection, thread_sensitive=True)


# --- webhook inbox ------------------------------------------------------------------------

@database
def waiting_updates(limit: int = 100) -> List[Dict[str, Any]]:
    """Unprocessed updates from the webhook, oldest first: ``{"id", "payload"}``."""
    from webapp.telegram.models import InboxUpdate

    return list(InboxUpdate.objects.filter(processed_at=None).order_by("update_id")
                .values("id", "payload")[:limit])


@database
def mark_update_processed(row_id: int) -> None:
    from webapp.telegram.models import InboxUpdate

    InboxUpdate.objects.filter(pk=row_id).update(processed_at=timezone.now())


# --- messages waiting for Rasa ------------------------------------------------------------

@database
def add_pending(chat_id: int, sender: str, text: str, metadata: Dict[str, Any], error: str) -> int:
    from webapp.telegram.models import PendingMessage

    row = PendingMessage.objects.create(chat_id=chat_id, sender=sender, text=text, metadata=metadata,
                                        attempts=1, last_error=error[:ERROR_CHARS])
    return row.pk


@database
def has_pending(chat_id: int) -> bool:
    from webapp.telegram.models import PendingMessage

    return PendingMessage.objects.filter(chat_id=chat_id, delivered_at=None).exists()


@database
def chats_with_pending() -> List[int]:
    """Chats with waiting messages, the chat waiting longest first."""
    from django.db.models import Min

    from webapp.telegram.models import PendingMessage

    rows = (PendingMessage.objects.filter(delivered_at=None).values("chat_id")
            .annotate(first=Min("id")).order_by("first"))
    return [row["chat_id"] for row in rows]


@database
def next_pending(chat_id: int) -> Optional[Dict[str, Any]]:
    """The chat's oldest waiting message: ``{"id", "sender", "text", "metadata"}``."""
    from webapp.telegram.models import PendingMessage

    return (PendingMessage.objects.filter(chat_id=chat_id, delivered_at=None).order_by("id")
            .values("id", "sender", "text", "metadata").first())


@database
def mark_delivered(row_id: int) -> None:
    from webapp.telegram.models import PendingMessage

    PendingMessage.objects.filter(pk=row_id).update(delivered_at=timezone.now())


@database
def record_failed_attempt(row_id: int, error: str) -> None:
    from django.db.models import F

    from webapp.telegram.models import PendingMessage

    PendingMessage.objects.filter(pk=row_id).update(attempts=F("attempts") + 1, last_error=error[:ERROR_CHARS])


# --- button payloads ----------------------------------------------------------------------

@database
def save_button_payload(key: str, payload: str) -> None:
    from webapp.telegram.models import ButtonPayload

    ButtonPayload.objects.get_or_create(key=key, defaults={"payload": payload})


@database
def load_button_payload(key: str) -> Optional[str]:
    from webapp.telegram.models import ButtonPayload

    return ButtonPayload.objects.filter(key=key).values_list("payload", flat=True).first()


# --- housekeeping -------------------------------------------------------------------------

@database
def purge_finished(older_than: dt.timedelta) -> int:
    """Delete processed inbox rows and delivered messages older than ``older_than``."""
    from webapp.telegram.models import InboxUpdate, PendingMessage

    cutoff = timezone.now() - older_than
    deleted, _ = InboxUpdate.objects.filter(processed_at__lt=cutoff).delete()
    delivered, _ = PendingMessage.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted + delivered
