"""The review dashboard: conversations per day, language, topic and municipality, and the
hand-off and fallback rates, as server-drawn SVG charts with the same numbers in tables."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from webapp.staff.access import staff_required
from webapp.staff.models import Role
from webapp.transcripts.charts import CHARTS, render_svg, topic_pairs
from webapp.transcripts.forms import DateRangeForm
from webapp.transcripts.stats import dashboard_stats
from webapp.transcripts.sync import sync

# An SVG is its own document: the staff pages' policy (no inline styles) would strip
# matplotlib's style attributes. This one allows inline styles and nothing else at all: no
# script, no loads; shown through <img>, an SVG cannot run script anyway.
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

CHART_TITLES = {
    "per-day": "Samtal per dag",
    "languages": "Samtal per språk",
    "topics": "Samtal per ämne",
    "municipalities": "Samtal per kommun (de tio största)",
    "rates": "Andel samtal som lämnades till en person eller där boten inte förstod, per dag",
}


@staff_required(Role.ADMIN)
def dashboard(request):
    sync()
    form = DateRangeForm(request.GET or None)
    date_from, date_to = form.range()
    stats = dashboard_stats(date_from, date_to)
    range_query = f"date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"
    return render(request, "transcripts/dashboard.html", {
        "form": form, "stats": stats, "range_query": range_query, "titles": CHART_TITLES,
        "breakdowns": [("languages", stats.languages), ("topics", topic_pairs(stats)),
                       ("municipalities", stats.municipalities)],
    })


@staff_required(Role.ADMIN)
def chart(request, name: str):
    if name not in CHARTS:
        raise Http404("no such chart")
    sync()
    date_from, date_to = DateRangeForm(request.GET or None).range()
    response = HttpResponse(render_svg(name, dashboard_stats(date_from, date_to)), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    return response
