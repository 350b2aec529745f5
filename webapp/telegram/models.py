"""Tables of the Telegram front end.

* ``InboxUpdate``: updates Telegram posted to the webhook. The web view only checks the secret
  and stores the update, so Telegram gets its 200 at once; the worker processes the inbox in
  ``update_id`` order and marks each row. An update survives a worker restart.
* ``PendingMessage``: a user's message that could not reach the assistant (Rasa down or
  timing out). The worker keeps retrying and sends the answer once Rasa is back, so nothing a
  user wrote is lost.
* ``ButtonPayload``: Telegram allows 64 bytes of ``callback_data``; a longer button payload is
  stored here under a short key derived from it.
"""

from django.db import models


class InboxUpdate(models.Model):
    """An update Telegram posted to the webhook, kept until the worker has processed it."""

    update_id = models.BigIntegerField(unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["update_id"]
        verbose_name = "inkommen Telegram-uppdatering"
        verbose_name_plural = "inkomna Telegram-uppdateringar"

    def __str__(self):
        return f"update {self.update_id} ({'processed' if self.processed_at else 'waiting'})"


class PendingMessage(models.Model):
    """A user's message waiting for the assistant to be reachable again."""

    chat_id = models.BigIntegerField()
    sender = models.CharField(max_length=64)
    text = models.TextField()
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["delivered_at", "chat_id"])]
        verbose_name = "Telegram-meddelande att skicka"
        verbose_name_plural = "Telegram-meddelanden att skicka"

    def __str__(self):
        return f"{self.sender} #{self.pk} ({'delivered' if self.delivered_at else 'waiting'})"


class ButtonPayload(models.Model):
    """A button payload longer than Telegram's callback_data allows, under a short key."""

    key = models.CharField(primary_key=True, max_length=32)
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lång knappdata (Telegram)"
        verbose_name_plural = "långa knappdata (Telegram)"

    def __str__(self):
        return f"{self.key} → {self.payload[:60]}"
