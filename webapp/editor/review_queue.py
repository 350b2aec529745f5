"""What waits for a publisher's review, and what each draft in review would replace.

``queue_for(user)``: the answer versions in review that ``user`` may publish (their
municipalities and areas; national texts for admins), oldest first, one per topic × place ×
language (the newest version there, as the edit page shows it).

``comparison(version)``: the draft next to what the bot uses now for the same topic, place and
language (the previous published local version, or the national text a municipality falls back
on), and, for Arabic and Dari, the Swedish text it was translated from and whether that is still
the Swedish text the bot uses (else the translation is outdated the moment it is published).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.content import topics, translation_outdated
from bot.language import SWEDISH
from webapp.content.models import AnswerVersion, Status
from webapp.editor import diff, permissions, state
from webapp.staff.access import municipality_codes


def queue_for(user) -> List[AnswerVersion]:
    """Versions in review that ``user`` may publish, oldest first."""
    codes = municipality_codes(user)
    in_review = AnswerVersion.objects.filter(status=Status.REVIEW, topic__in=list(topics())).select_related(
        "municipality", "created_by").order_by("created_at", "id")
    if codes is not None:
        in_review = in_review.filter(municipality_id__in=codes)
    waiting = []
    newest_ids = {}
    for version in in_review:
        if not permissions.may_publish(user, version.municipality_id, version.topic):
            continue
        key = (version.topic, version.municipality_id, version.language)
        newest = newest_ids.get(key)
        if newest is None:
            newest = (AnswerVersion.objects.filter(topic=version.topic, municipality_id=version.municipality_id,
                                                   language=version.language).order_by("-id")
                      .values_list("id", flat=True).first())
            newest_ids[key] = newest
        if newest == version.pk:  # an older version in review was overtaken by a newer save
            waiting.append(version)
    return waiting


@dataclass
class Comparison:
    version: AnswerVersion
    live: Optional[AnswerVersion]  # what the bot uses now in this language at this place
    live_is_national: bool
    segments: List[diff.Segment]
    swedish_source: Optional[AnswerVersion]  # the Swedish text this translation was made from
    swedish_live: Optional[AnswerVersion]  # the Swedish text the bot uses now
    outdated: bool  # published as it is, the translation would not match the Swedish text in use

    @property
    def changed(self) -> bool:
        return diff.changed(self.segments)


def comparison(version: AnswerVersion) -> Comparison:
    code = version.municipality_id
    states = state.topic_states(code, [version.topic])[version.topic]
    here = states[version.language]
    live = here.local if here.local is not None and here.local.pk != version.pk else None
    live_is_national = False
    if live is None and code is not None and here.national is not None:
        live, live_is_national = here.national, True
    swedish_live = states[SWEDISH].in_use
    swedish_source = version.source_version if version.language != SWEDISH else None
    outdated = False
    if version.language != SWEDISH:
        outdated = translation_outdated(state.as_answer(version), state.as_answer(swedish_live))
    return Comparison(version=version, live=live, live_is_national=live_is_national,
                      segments=diff.word_diff(live.text if live else "", version.text),
                      swedish_source=swedish_source, swedish_live=swedish_live, outdated=outdated)
