"""/staff/facts/: where the staff's published facts and Skolverket's registers disagree.

Editors and up see their own municipalities, admins every municipality. The pages read the
published facts and the register cache only (no network) and show no personal data, so they
are not audit-logged.
"""

from __future__ import annotations

from typing import Iterable, List

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from bot.content import read_published
from bot.facts.cache import default_cache
from webapp.content.models import Municipality
from webapp.editor.permissions import may_edit
from webapp.facts.disagreements import COMPARED_KINDS, MunicipalityReview, review_municipality
from webapp.staff.access import check_municipality, municipality_codes, staff_required
from webapp.staff.models import Role


def _reviews(municipalities: Iterable[Municipality], snapshot) -> List[MunicipalityReview]:
    cache = default_cache()
    reviews = []
    for municipality in municipalities:
        facts = snapshot.facts_for(municipality.code, COMPARED_KINDS)
        reviews.append(review_municipality(municipality.code, municipality.name, facts, cache,
                                           place_words=_place_words(municipality.name)))
    return reviews


def _place_words(name: str) -> tuple:
    """The municipality's name and its genitive ("Falköpings kommun")."""
    return (name, name + "s") if not name.endswith("s") else (name,)


@staff_required(Role.EDITOR)
@require_http_methods(["GET"])
def overview(request):
    """Per municipality in the person's scope that has staff facts to compare: how many
    disagreements, and whether a register copy is missing from the cache."""
    snapshot = read_published()
    codes = municipality_codes(request.user)
    with_facts = {code for code, facts in snapshot.facts.items() if any(f.kind in COMPARED_KINDS for f in facts)}
    visible = Municipality.objects.all() if codes is None else Municipality.objects.filter(code__in=codes)
    reviews = _reviews(visible.filter(code__in=with_facts).order_by("name"), snapshot)
    without_facts = visible.exclude(code__in=with_facts).order_by("name")
    return render(request, "facts/overview.html", {
        "reviews": reviews,
        "disagreement_count": sum(len(r.rows) for r in reviews),
        # an admin sees all 290 municipalities: only the number of those without staff facts
        "without_facts": list(without_facts) if codes is not None else [],
        "without_facts_count": without_facts.count(),
    })


@staff_required(Role.EDITOR)
@require_http_methods(["GET"])
def municipality_detail(request, code: str):
    """Every disagreement of one municipality, with links to edit the fact and to the source."""
    check_municipality(request.user, code)
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise Http404("unknown municipality")
    review = _reviews([municipality], read_published())[0]
    rows = [{"row": row, "may_edit": may_edit(request.user, code, row.fact_kind or "sfi_provider")}
            for row in review.rows]
    return render(request, "facts/municipality.html", {"review": review, "rows": rows,
                                                       "municipality": municipality})
