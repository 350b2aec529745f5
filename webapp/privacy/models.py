"""How long each municipality keeps conversations.

A conversation is deleted ``days`` after its last message (``manage.py transcripts_retention``,
run hourly by ``make run`` and by cron or a systemd timer in production: docs/privacy.md).
Municipalities without a policy, and conversations whose municipality is unknown, use the
default from ``TRANSCRIPT_RETENTION_DAYS`` (90 days when unset).
"""

import os

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from webapp.content.models import Municipality

DEFAULT_RETENTION_DAYS = 90
# Longer than this is no longer "retention" but archiving, which needs its own legal basis.
MAX_RETENTION_DAYS = 3 * 365


def default_retention_days() -> int:
    """``TRANSCRIPT_RETENTION_DAYS`` from the environment, or 90; a bad value is an error."""
    raw = os.environ.get("TRANSCRIPT_RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"TRANSCRIPT_RETENTION_DAYS must be a whole number of days, not {raw!r}") from None
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"TRANSCRIPT_RETENTION_DAYS must be between 1 and {MAX_RETENTION_DAYS}, not {days}")
    return days


class RetentionPolicy(models.Model):
    """One municipality's retention period for conversations (admins edit it in Django's admin)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="retention_policy")
    days = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text="Samtal raderas så många dagar efter sitt senaste meddelande.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   editable=False)

    class Meta:
        ordering = ["municipality__name"]
        verbose_name = "lagringstid"
        verbose_name_plural = "lagringstider"

    def __str__(self):
        return f"{self.municipality}: {self.days} dagar"
