"""The publisher's review queue (/staff/content/review/) and one draft next to what it replaces.

Publishing and sending back post to the answer's edit page (``views.answer_edit``), so the
workflow, its checks and its audit entries stay in one place.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from bot.language import SWEDISH
from webapp.content.models import Status
from webapp.editor.review_queue import comparison, queue_for
from webapp.editor.views import LANGUAGE_META, NATIONAL, _place_label, topic_label
from webapp.staff.access import staff_required
from webapp.staff.models import Role


def queue_rows(user) -> list:
    rows = []
    for version in queue_for(user):
        rows.append({
            "version": version, "topic_label": topic_label(version.topic), "meta": LANGUAGE_META[version.language],
            "place_label": _place_label(version.municipality),
            "url": reverse("editor-review", args=[version.pk]),
        })
    return rows


@require_safe
@staff_required(Role.PUBLISHER)
def review_queue(request):
    return render(request, "editor/review_queue.html", {"rows": queue_rows(request.user)})


@require_safe
@staff_required(Role.PUBLISHER)
def review_version(request, pk: int):
    """One draft in review beside the text the bot uses now, with the words that changed."""
    version = next((v for v in queue_for(request.user) if v.pk == pk), None)
    if version is None:  # published meanwhile, not in review, or not this person's to publish
        raise Http404("not in your review queue")
    found = comparison(version)
    place = version.municipality_id or NATIONAL
    return render(request, "editor/review_version.html", {
        "c": found, "version": version, "meta": LANGUAGE_META[version.language],
        "swedish_meta": LANGUAGE_META[SWEDISH], "topic_label": topic_label(version.topic),
        "place_label": _place_label(version.municipality), "place": place,
        "edit_url": reverse("editor-answer", args=[place, version.topic]),
        "is_translation": version.language != SWEDISH,
        "swedish_source_unpublished": bool(found.swedish_source and found.swedish_source.status != Status.PUBLISHED),
    })
