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
    # A pseudonym of the client address the request came from (bot.web_sessions.address_key),
    # for anonymous web callers only: caps the open tickets per address (service.open_ticket).
    client_key = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [models.Index(fields=["status", "municipality"])]
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"

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
        verbose_name = "öppettid"
        verbose_name_plural = "öppettider"


class Holiday(models.Model):
    """A day a municipality (or, with no municipality, every municipality) is closed."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    date = models.DateField(db_index=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = "helgdag"
        verbose_name_plural = "helgdagar"


class ServiceContact(models.Model):
    """How a newcomer reaches the municipality's reception directly: told to the user when no
    one has claimed their ticket in time (``webapp.handoff.service.check_unclaimed``)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="service_contact")
    name = models.CharField(max_length=200, help_text="E.g. “Kontaktcenter, Nacka kommun”.")
    phone = models.CharField(max_length=40, blank=True)
    visiting_address = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True)
    # True until someone has checked the details against the municipality's own site; the bot
    # then marks them visibly as example data, as it does for facts.
    is_example = models.BooleanField(default=True)
    recorded_on = models.DateField(null=True, blank=True)
    # "seed" for rows loaded from data/content/office_hours.yml, "staff" once edited in the admin.
    origin = models.CharField(max_length=16, default="staff")

    class Meta:
        verbose_name = "kontaktväg"
        verbose_name_plural = "kontaktvägar"

    def __str__(self):
        return f"{self.municipality_id} {self.name}"


class DeliveryKind(models.TextChoices):
    STAFF = "staff", "Svar från personal"
    NOTICE = "notice", "Meddelande från systemet"  # the bot is back; contact options after a wait


class HandoffDelivery(models.Model):
    """A message to a user outside the request/reply cycle of the chat: a staff reply, "the
    bot is back", the contact options after an unclaimed wait.

    An outbox: the row is written first, then each channel takes it from here. The Telegram
    worker sends rows of Telegram conversations and marks them delivered (retrying until it
    can); the web widget polls ``/widget/messages`` for its conversation's rows. The text is
    also in the Rasa transcript; this table only carries it to the user.
    """

    ticket = models.ForeignKey(HandoffTicket, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="deliveries")
    sender_id = models.CharField(max_length=255, db_index=True)
    channel = models.CharField(max_length=32, blank=True, db_index=True)
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    language = models.CharField(max_length=8, choices=Language.choices)
    text = models.TextField()
    buttons = models.JSONField(default=list, blank=True)
    staff_name = models.CharField(max_length=150, blank=True)
    # False once the conversation is back with the bot: the widget stops polling after it.
    handoff_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Set when the channel refused the message for good (the user blocked the bot).
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["channel", "delivered_at", "failed_at"])]
        verbose_name = "utskick"
        verbose_name_plural = "utskick"

    def __str__(self):
        return f"{self.kind} → {self.sender_id} ({'delivered' if self.delivered_at else 'waiting'})"


class CannedReply(models.Model):
    """A ready-made reply staff keep for questions that come again and again, in one language.

    Staff maintain them themselves (/staff/inbox/replies/). On the ticket page the replies in the
    ticket's language (and Swedish) fill the reply box; the reply is then sent exactly like a
    typed one, through the outbox and the audit log. A reply with a municipality is that
    municipality's own; one without is shared by everyone and kept by administrators.
    """

    title = models.CharField("rubrik", max_length=120, help_text="Vad svaret handlar om, på svenska.")
    language = models.CharField("språk", max_length=8, choices=Language.choices)
    text = models.TextField("text", max_length=4000)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE,
                                     verbose_name="kommun", help_text="Tomt: gemensamt för alla kommuner.")
    updated_at = models.DateTimeField("ändrat", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="ändrat av")

    class Meta:
        ordering = ["language", "title"]
        verbose_name = "färdigt svar"
        verbose_name_plural = "färdiga svar"

    def __str__(self):
        return f"{self.title} ({self.language})"
