"""The life of a version: save (a new draft), submit, publish, send back, restore.

Text is never edited in place: saving and restoring always add a row. Only the workflow fields
of an existing row change (status, published_at/by, note). Permission checks belong to the
views (``webapp.editor.permissions``); these functions check that a step makes sense.
"""

from __future__ import annotations

from typing import Iterable, List, Optional

from django.db import transaction
from django.utils import timezone

from bot.content import published_order
from bot.language import SWEDISH
from webapp.content.models import AnswerVersion, FactVersion, Municipality, Status

# The fact fields a person edits; every saved version carries all of them.
FACT_FIELDS = ("name", "url", "phone", "notes", "source_name", "source_url", "verified_on", "is_example")


class WorkflowError(Exception):
    """A step that does not fit the version's status; the message is shown to the person."""


def normalise_text(text: str) -> str:
    """Browsers send CRLF; trailing spaces are invisible and should not make a new version."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


# -- answers ------------------------------------------------------------------------------------

def answer_versions(topic: str, code: Optional[str], language: Optional[str] = None):
    """All versions of one topic × place (× language), newest first."""
    versions = AnswerVersion.objects.filter(topic=topic, municipality_id=code).select_related(
        "created_by", "published_by", "source_version")
    return versions.filter(language=language) if language else versions


def current_published(versions) -> Optional[object]:
    """The version the bot uses: the one published last."""
    return versions.filter(status=Status.PUBLISHED).order_by(*published_order()).first()


def effective_swedish(topic: str, code: Optional[str]) -> Optional[AnswerVersion]:
    """The Swedish text the bot uses for this topic and place (local, else national)."""
    local = current_published(answer_versions(topic, code, SWEDISH)) if code else None
    return local or current_published(answer_versions(topic, None, SWEDISH))


def save_answer(user, topic: str, code: Optional[str], language: str, text: str, *,
                source_version: Optional[AnswerVersion] = None, status: str = Status.DRAFT,
                origin: str = "staff", note: str = "") -> AnswerVersion:
    """A new version. Translations without a given source are based on the Swedish text the
    bot uses now."""
    if language != SWEDISH and source_version is None:
        source_version = effective_swedish(topic, code)
    municipality = Municipality.objects.get(code=code) if code else None
    version = AnswerVersion(topic=topic, municipality=municipality, language=language,
                            text=normalise_text(text), status=status, created_by=user, origin=origin,
                            source_version=source_version if language != SWEDISH else None, note=note[:500])
    if status == Status.PUBLISHED:
        version.published_by = user
    version.save()
    return version


# -- both kinds ---------------------------------------------------------------------------------

def submit(version) -> None:
    if version.status != Status.DRAFT:
        raise WorkflowError("Bara utkast kan skickas för granskning.")
    version.status = Status.REVIEW
    version.note = ""
    version.save(update_fields=["status", "note"])


def publish(user, version) -> None:
    if version.status != Status.REVIEW:
        raise WorkflowError("Bara versioner som granskas kan publiceras. Skicka utkastet för granskning först.")
    version.status = Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.save(update_fields=["status", "published_at", "published_by"])


def send_back(version, note: str) -> None:
    if version.status != Status.REVIEW:
        raise WorkflowError("Bara versioner som granskas kan skickas tillbaka.")
    version.status = Status.DRAFT
    version.note = (note or "").strip()[:500]
    version.save(update_fields=["status", "note"])


def restore(user, version):
    """Copy an old version forward as a new draft (the old row stays as it was)."""
    note = f"Återställd från version {version.pk}"
    if isinstance(version, AnswerVersion):
        # A restored translation is still a translation of the Swedish text it was made from.
        return save_answer(user, version.topic, version.municipality_id, version.language, version.text,
                           source_version=version.source_version, note=note)
    return save_fact(user, version.municipality_id, version.kind, version.key,
                     {f: getattr(version, f) for f in FACT_FIELDS}, note=note)


def publish_all_in_review(user, versions: Iterable) -> List:
    """Publish every version in review, Swedish first, so translations based on it are current."""
    ordered = sorted(versions, key=lambda v: (getattr(v, "language", SWEDISH) != SWEDISH, v.pk))
    with transaction.atomic():
        for version in ordered:
            publish(user, version)
    return ordered


# -- facts --------------------------------------------------------------------------------------

def fact_versions(code: str, kind: str, key: str):
    return FactVersion.objects.filter(municipality_id=code, kind=kind, key=key).select_related(
        "created_by", "published_by")


def fact_values(version: Optional[FactVersion]) -> dict:
    if version is None:
        return {"name": "", "url": "", "phone": "", "notes": {}, "source_name": "", "source_url": "",
                "verified_on": None, "is_example": False}
    return {field: getattr(version, field) for field in FACT_FIELDS}


def save_fact(user, code: str, kind: str, key: str, values: dict, *, status: str = Status.DRAFT,
              origin: str = "staff", note: str = "") -> FactVersion:
    version = FactVersion(municipality=Municipality.objects.get(code=code), kind=kind, key=key, status=status,
                          created_by=user, origin=origin, note=note[:500],
                          **{field: values[field] for field in FACT_FIELDS})
    if status == Status.PUBLISHED:
        version.published_by = user
    version.full_clean(exclude=["created_by", "published_by", "municipality"])
    version.save()
    return version


def verified_today(user, code: str, kind: str, key: str, *, publish_now: bool) -> FactVersion:
    """A new version of the live fact (or the newest, if none is live) checked today: no
    longer example data. Publishers publish it at once; an editor's goes to review."""
    versions = fact_versions(code, kind, key)
    base = current_published(versions) or versions.first()
    if base is None:
        raise WorkflowError("Det finns ingen version att markera som verifierad.")
    values = fact_values(base)
    values.update(verified_on=timezone.localdate(), is_example=False)
    return save_fact(user, code, kind, key, values, status=Status.PUBLISHED if publish_now else Status.REVIEW,
                     note=f"Verifierad {timezone.localdate():%Y-%m-%d} (utgår från version {base.pk})")
