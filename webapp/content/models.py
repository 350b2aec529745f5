"""Content the bot answers from, kept outside the trained model.

Every save is a new row (append-only versions). The bot answers from the newest *published*
version of each answer (topic × municipality × language; municipality empty = the national
default) and of each fact. ``ContentRevision`` is bumped on every change so that running
action servers notice within seconds (``bot.content``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from bot.language import ARABIC, DARI, SWEDISH


class Language(models.TextChoices):
    SWEDISH = SWEDISH, "Svenska"
    ARABIC = ARABIC, "العربية"
    DARI = DARI, "دری"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class Municipality(models.Model):
    """One of Sweden's 290 municipalities (seeded from data/municipalities/)."""

    code = models.CharField(primary_key=True, max_length=4)
    name = models.CharField(max_length=100)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"

    def __str__(self):
        return f"{self.name} ({self.code})"


class VersionBase(models.Model):
    """What every version has. The text fields of a version never change after it is saved;
    only the workflow fields (status, published_at/by, note) move it through review."""

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # "seed" for rows loaded from data/content/, "staff" for edits in the app, "import" for
    # rows from an uploaded or imported YAML export.
    origin = models.CharField(max_length=16, default="staff")
    # The current published version of an identity is the one published last (not the one
    # saved last): a publisher may publish an older version that waited in review.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # Why it was sent back, or which version it restores: shown in the history.
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    def save(self, *args, **kwargs):
        # Rows created as published (seeds, imports, tests) get their publishing time too.
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)


class AnswerVersion(VersionBase):
    """One version of an answer text for a topic, in one language, national or local."""

    topic = models.CharField(max_length=64, db_index=True)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    language = models.CharField(max_length=8, choices=Language.choices)
    text = models.TextField()
    # Arabic and Dari only: the Swedish version this text was translated from. When a newer
    # Swedish text is published, this translation is outdated (bot.content.translation_outdated).
    source_version = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="translations")

    class Meta(VersionBase.Meta):
        indexes = [models.Index(fields=["topic", "municipality", "language", "status"])]
        verbose_name = "svarsversion"
        verbose_name_plural = "svarsversioner"

    def __str__(self):
        where = self.municipality_id or "national"
        return f"{self.topic} [{where}, {self.language}] v{self.pk} {self.status}"


class FactKind(models.TextChoices):
    SFI_PROVIDER = "sfi_provider", "SFI provider"
    HOUSING_QUEUE = "housing_queue", "Housing queue"
    HOUSING_CONTACT = "housing_contact", "Housing contact (settlement, emergencies)"
    SCHOOL_PLACEMENT = "school_placement", "School placement contact"
    # Their own kinds (issue 13): a question about förskola must never be answered with a
    # compulsory-school contact, nor one about gymnasiet with a grundskola reception. The
    # ``school_`` prefix puts them in the school area (webapp/editor/permissions.py).
    PRESCHOOL_PLACEMENT = "school_preschool_placement", "Preschool placement contact"
    UPPER_SECONDARY_PLACEMENT = "school_upper_secondary_placement", "Upper secondary placement contact (newcomers)"


class FactVersion(VersionBase):
    """One version of a municipality fact: a provider or contact with link, source and date."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    kind = models.CharField(max_length=32, choices=FactKind.choices)
    key = models.SlugField(max_length=64, help_text="Identifies the fact within its municipality and kind.")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.JSONField(default=dict, blank=True, help_text="Short note per language code.")
    source_name = models.CharField(max_length=200)
    source_url = models.URLField(blank=True)
    verified_on = models.DateField(null=True, blank=True)
    # True until someone has checked the fact against the municipality's own site; the bot
    # then marks it visibly as example data.
    is_example = models.BooleanField(default=True)

    class Meta(VersionBase.Meta):
        indexes = [models.Index(fields=["municipality", "kind", "key", "status"])]
        verbose_name = "faktaversion"
        verbose_name_plural = "faktaversioner"

    def __str__(self):
        return f"{self.municipality_id} {self.kind}/{self.key} v{self.pk} {self.status}"


class ContentRevision(models.Model):
    """A single counter, bumped on every content change; readers compare it to reload."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)


class TopicReview(models.Model):
    """The review cycle of one national topic: the public sources its text rests on, when it
    was last checked against them, by when it must be checked again, and whether its law is
    about to change. Seeded from data/content/topics.yml (``load_content``); the staff start
    page lists the topics past ``review_by`` and those with a ``law_change``."""

    topic = models.CharField(primary_key=True, max_length=64)
    sources = models.JSONField(default=list, blank=True, help_text="[{title, url}, …]")
    reviewed_on = models.DateField(null=True, blank=True)
    # Empty means no date was ever set: such a topic counts as due (never silently fine).
    review_by = models.DateField(null=True, blank=True)
    law_change = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["topic"]

    def __str__(self):
        return f"{self.topic} (review by {self.review_by})"

    def is_due(self, today) -> bool:
        return self.review_by is None or self.review_by < today


class CrisisLine(models.Model):
    """A crisis phone number (112, Bris, Kvinnofridslinjen, …): the one place it is kept.

    Seeded from data/content/crisis_lines.yml by ``load_content``; changed by admins in
    /admin/ (then ``changed_by_staff`` keeps the seed from overwriting it). Every crisis text
    names the line as ``{key}`` and the bot fills in the number (``bot.crisis_lines``).
    """

    key = models.SlugField("nyckel", max_length=40, unique=True,
                           help_text="Platshållaren i kristexterna, t.ex. children_line för {children_line}.")
    name = models.CharField("namn", max_length=200)
    number = models.CharField("nummer", max_length=40, help_text="Som det ska ringas, t.ex. 116 111.")
    description = models.CharField("för vem och när", max_length=500, blank=True)
    source_url = models.URLField("källa", blank=True)
    checked_on = models.DateField("kontrollerad", null=True, blank=True)
    changed_by_staff = models.BooleanField("ändrad av admin", default=False)

    class Meta:
        ordering = ["key"]
        verbose_name = "krislinje"
        verbose_name_plural = "krislinjer"

    def __str__(self):
        return f"{self.name}: {self.number}"
