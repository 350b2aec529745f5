"""Preview: what the bot would answer a question for one municipality, drafts included.

The running Rasa server understands the question (``/model/parse``: intent and entities, the
same model the bot uses), and the bot's own ``Composer`` writes the reply from the published
content overlaid with the newest unpublished versions of the municipality (and, for admins,
of the national texts). Registers (Skolverket) are not asked: the preview shows content only.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import List, Optional

import requests
from django.utils import timezone

from bot import settings
from bot.answers import Composer, Reply, topic_for_intent
from bot.content import Fact, read_published
from bot.language import choose_reply_language, clean_text
from bot.municipalities import directory
from webapp.content.models import AnswerVersion, FactVersion, Status
from webapp.editor.state import as_answer

logger = logging.getLogger(__name__)

PARSE_TIMEOUT_SECONDS = 5
FALLBACK_THRESHOLD = 0.2  # config.yml: FallbackClassifier threshold
SMALL_TALK = {"greet", "goodbye", "thank", "help"}


class RasaUnavailable(Exception):
    """The Rasa server did not answer /model/parse; the message says why, in Swedish."""


def parse(text: str) -> dict:
    """Intent and entities from the running Rasa server."""
    url = f"{settings.rasa_url().rstrip('/')}/model/parse"
    try:
        # The token in a header, not the URL: URLs end up in logs (bot/rasa_server.py).
        response = requests.post(url, headers={"Authorization": f"Bearer {settings.rasa_token()}"},
                                 json={"text": text}, timeout=PARSE_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        logger.warning("preview: Rasa not reachable at %s: %s", url, error)
        raise RasaUnavailable("Boten (Rasa-servern) svarar inte just nu, så frågan kan inte tolkas. "
                              "Försök igen om en stund eller kontakta driften.") from error
    if response.status_code != 200:
        logger.warning("preview: Rasa answered %s: %s", response.status_code, response.text[:200])
        raise RasaUnavailable(f"Boten (Rasa-servern) kunde inte tolka frågan (HTTP {response.status_code}). "
                              "Försök igen om en stund eller kontakta driften.")
    try:
        return response.json()
    except ValueError as error:
        raise RasaUnavailable("Boten (Rasa-servern) gav ett svar som inte gick att läsa.") from error


@dataclass
class DraftOverlay:
    """The unpublished versions a preview uses, to list them for the person."""

    answers: List[AnswerVersion] = field(default_factory=list)
    facts: List[FactVersion] = field(default_factory=list)


def snapshot_with_drafts(code: str, include_national: bool) -> tuple:
    """Published content now, with the newest version of each answer and fact of ``code``
    (and of the national texts) laid over it where that version is not published yet."""
    snapshot = read_published()
    overlay = DraftOverlay()
    now = timezone.now()
    places = [code] + ([None] if include_national else [])
    for place in places:
        newest = {}
        for version in AnswerVersion.objects.filter(municipality_id=place).order_by("-id"):
            newest.setdefault((version.topic, version.language), version)
        for (topic, language), version in newest.items():
            if version.status == Status.PUBLISHED:
                continue
            overlay.answers.append(version)
            # As if published now: so a Swedish draft outdates translations not based on it.
            snapshot.answers[(topic, place, language)] = dataclasses.replace(
                as_answer(version), published_at=now)
    newest_facts = {}
    for version in FactVersion.objects.filter(municipality_id=code).order_by("-id"):
        newest_facts.setdefault((version.kind, version.key), version)
    facts = {(f.kind, f.key): f for f in snapshot.facts.get(code, [])}
    for identity, version in newest_facts.items():
        if version.status != Status.PUBLISHED:
            overlay.facts.append(version)
            facts[identity] = _as_fact(version)
    snapshot.facts[code] = sorted(facts.values(), key=lambda f: (f.kind, f.key))
    return snapshot, overlay


def _as_fact(version: FactVersion) -> Fact:
    return Fact(municipality=version.municipality_id, kind=version.kind, key=version.key, name=version.name,
                url=version.url, phone=version.phone, notes=version.notes or {}, source_name=version.source_name,
                source_url=version.source_url, verified_on=version.verified_on, is_example=version.is_example,
                recorded_on=version.created_at.date())


@dataclass
class PreviewResult:
    language: str
    intent: Optional[str]
    confidence: float
    replies: List[Reply]
    explanation: str  # how the bot handles this intent, for staff
    overlay: DraftOverlay
    other_municipality: Optional[str] = None  # the question names another municipality


def preview(text: str, code: str, language: Optional[str], include_national: bool) -> PreviewResult:
    """Raises ``RasaUnavailable`` when the question cannot be understood right now."""
    cleaned = clean_text(text)
    parsed = parse(cleaned)
    intent = (parsed.get("intent") or {}).get("name")
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    language = language or choose_reply_language(cleaned, None)
    municipality = directory().get(code)
    snapshot, overlay = snapshot_with_drafts(code, include_national)
    composer = Composer(language, snapshot)
    named = [e.get("value") for e in parsed.get("entities") or [] if e.get("entity") == "municipality"]
    other = next((directory().get(str(v)) for v in named if v and str(v) != code), None)

    topic = topic_for_intent(intent)
    if intent is None or confidence < FALLBACK_THRESHOLD or intent == "nlu_fallback":
        replies = [composer.clarify(out_of_scope=False, offer_person=False)]
        explanation = "Boten är inte säker på vad frågan gäller och ställer en motfråga."
    elif topic is not None:
        replies = composer.topic_answer(topic, municipality)
        explanation = f"Frågan tolkas som ämnet {topic.key}."
    elif intent in SMALL_TALK:
        replies = [composer.small_talk(intent)]
        explanation = "Hälsning eller småprat: ett fast svar."
    elif intent == "out_of_scope":
        replies = [composer.clarify(out_of_scope=True, offer_person=False)]
        explanation = "Frågan ligger utanför SFI, bostad och skola."
    else:
        replies = []
        explanation = (f"Frågan tolkas som {intent}. Den besvaras inte med innehållstexter "
                       "(till exempel överlämning till en person), så förhandsvisningen visar inget svar.")
    return PreviewResult(language, intent, confidence, replies, explanation, overlay,
                         other_municipality=other.name if other else None)

