"""Delete conversations that have outlived their municipality's retention period.

A conversation's age is the time since its last message (``Conversation.last_at``). The
period is the municipality's ``RetentionPolicy`` or, for municipalities without one and for
conversations whose municipality is unknown, the default (``TRANSCRIPT_RETENTION_DAYS``, 90).
Rasa events of senders the index does not know (written after a sync, or left by an older
version) are deleted by the default period, measured from their newest event.

Every run is audit-logged with its counts (no user: it is the system). A conversation that
wakes up at the very moment it is erased could be written back by Rasa; after a retention
period of idleness that is not a practical concern, and the next run deletes it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from webapp.privacy.erasure import erase_person
from webapp.privacy.models import RetentionPolicy, default_retention_days
from webapp.staff import audit
from webapp.transcripts.models import Conversation
from webapp.transcripts.sync import sync

logger = logging.getLogger(__name__)


@dataclass
class RetentionResult:
    default_days: int
    conversations: int = 0
    events: int = 0
    orphan_senders: int = 0
    by_municipality: Dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"retention: {self.conversations} conversations and {self.orphan_senders} unindexed senders "
                f"deleted ({self.events} Rasa events); default {self.default_days} days")


def expired_conversations(now: dt.datetime, default_days: int) -> List[Conversation]:
    """Conversations older than their municipality's period (or the default)."""
    policies = dict(RetentionPolicy.objects.values_list("municipality_id", "days"))
    expired = list(Conversation.objects.exclude(municipality_id__in=policies)
                   .filter(last_at__lt=now - dt.timedelta(days=default_days)).only("sender_id", "municipality_id"))
    for code, days in policies.items():
        expired += Conversation.objects.filter(municipality_id=code, last_at__lt=now - dt.timedelta(days=days)) \
            .only("sender_id", "municipality_id")
    return expired


def unindexed_senders(now: dt.datetime, default_days: int) -> List[str]:
    """Senders with Rasa events but no index row, whose newest event is older than the default."""
    cutoff = (now - dt.timedelta(days=default_days)).timestamp()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < %s", [cutoff])
            candidates = [row[0] for row in cursor.fetchall()]
    except DatabaseError:  # Rasa has not created its table yet
        return []
    indexed = set()
    for start in range(0, len(candidates), 500):
        indexed.update(Conversation.objects.filter(pk__in=candidates[start:start + 500])
                       .values_list("sender_id", flat=True))
    return [sender for sender in candidates if sender not in indexed]


def run_retention(now: Optional[dt.datetime] = None) -> RetentionResult:
    """One retention run: sync the index, erase what expired, audit-log the counts."""
    now = now or timezone.now()
    result = RetentionResult(default_days=default_retention_days())
    sync(max_batches=10_000)
    per_municipality: Counter = Counter()
    for conversation in expired_conversations(now, result.default_days):
        result.events += erase_person(conversation.sender_id)
        result.conversations += 1
        per_municipality[conversation.municipality_id or "-"] += 1
    for sender_id in unindexed_senders(now, result.default_days):
        result.events += erase_person(sender_id)
        result.orphan_senders += 1
    result.by_municipality = dict(per_municipality)
    audit.record(None, "transcripts_retention", target_type="retention", conversations=result.conversations,
                 orphan_senders=result.orphan_senders, events=result.events, default_days=result.default_days,
                 by_municipality=result.by_municipality)
    logger.debug(result.summary())
    return result
