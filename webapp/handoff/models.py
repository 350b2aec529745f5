"""Hand-off tickets, where staff work, and when municipalities are open.

A ticket is opened when the bot pauses a conversation for a person (``bot.handoff``). It
points at the conversation by Rasa sender id; the messages themselves stay in the transcript
(``webapp.transcripts``), already redacted, so there is one record of what was said.
"""

from django.conf import settings
from django.db import models

from webapp.content.models import Language, Municipality


class Reason(models.TextChoices):
    REQUESTED = "requested", "Bad om en person"
    REPEATED_FAILURE = "repeated_failure", "Boten förstod inte flera gånger"
    WRONG_ANSWER = "wrong_answer", "Sa att svaret var fel"
    RESIDENCE_PERMIT = "residence_permit", "Uppehållstillstånd/asyl, beslut eller överklagande"
    DEPORTATION = "deportation", "Utvisning/avvisning"
    EVICTION = "eviction", "Vräkning eller hot från hyresvärd"
    SOCIAL_SERVICES = "social_services", "Socialtjänsten/LVU och barn"
    DEBT = "debt", "Skulder/Kronofogden"
    DISCRIMINATION = "discrimination", "Diskriminering"
    AUTHORITY_LETTER = "authority_letter", "Brev från myndighet som personen inte förstår"
    CRISIS_VIOLENCE = "crisis_violence", "KRIS: våld eller hot"
    CRISIS_SUICIDE = "crisis_suicide", "KRIS: självmordstankar"
    CRISIS_HEALTH = "crisis_health", "KRIS: akut sjukdom"


class Priority(models.IntegerChoices):
    # Lower number first in every queue.
    CRISIS = 0, "Kris"
    HIGH = 1, "Hög"
    NORMAL = 2, "Normal"


class Status(models.TextChoices):
    WAITING = "waiting", "Väntar"
    CLAIMED = "claimed", "Pågår"
    CLOSED = "closed", "Avslutad"


class Tier(models.TextChoices):
    """Who the ticket is routed to first (``webapp.handoff.routing``)."""

    LANGUAGE = "language", "Personal i kommunen som talar användarens språk"
    MUNICIPALITY = "municipality", "Personal i kommunen"
    NATIONAL = "national", "Nationell pool"


class Outcome(models.TextChoices):
    ANSWERED = "answered", "Besvarad"
    REFERRED = "referred", "Hänvisad till annan myndighet/enhet"
    MEETING = "meeting", "Bokat möte"
    NO_RESPONSE = "no_response", "Användaren svarade inte"
    CANCELLED_BY_USER = "cancelled_by_user", "Användaren gick tillbaka till boten"


class HandoffTicket(models.Model):
    sender_id = models.CharField(max_length=255, db_index=True)
    reason = models.CharField(max_length=32, choices=Reason.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    language = models.CharField(max_length=8, choices=Language.choices)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=32, blank=True)  # web | telegram | rest
    tier = models.CharField(max_length=16, choices=Tier.choices)
    summary = models.TextField(blank=True, help_text="One paragraph for the staff member, in Swedish.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="claimed_tickets")
    claimed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    # Set when the user was given the municipality's contact options because nobody claimed it.
    unclaimed_notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [models.Index(fields=["status", "municipality"])]

    def __str__(self):
        return f"#{self.pk} {self.reason} {self.language} {self.municipality_id or '-'} {self.status}"


class OfficeHours(models.Model):
    """Opening hours of a municipality's newcomer service, one row per weekday interval."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["municipality", "weekday", "opens"]


class Holiday(models.Model):
    """A day a municipality (or, with no municipality, every municipality) is closed."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    date = models.DateField(db_index=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
