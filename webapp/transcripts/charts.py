"""The dashboard's charts, drawn with matplotlib on the server as SVG.

No JavaScript and nothing from the internet: the page shows ``<img src=…>`` of a chart view,
and each chart's numbers are also on the page as a table. Figures are made with matplotlib's
object API (``Figure``, no ``pyplot`` and its global current figure); matplotlib's settings and
font caches are still process-wide, so drawing is serialised by a lock (a chart takes a few
tens of milliseconds, and only admins open the dashboard).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Callable, Dict

import matplotlib

matplotlib.use("Agg")  # before anything could pick an interactive backend

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.dates import AutoDateLocator, DateFormatter  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from bot.answers import TOPIC_TITLES  # noqa: E402
from webapp.transcripts.labels import intent_label  # noqa: E402
from webapp.transcripts.stats import DashboardStats  # noqa: E402

# Colour-blind-safe (Okabe–Ito) and dark enough on white.
BLUE, ORANGE, GREEN = "#0072B2", "#D55E00", "#009E73"
_RC = {
    "svg.hashsalt": "newcomer-review",  # stable ids: the same numbers give the same file
    "svg.fonttype": "path",  # glyphs as paths: the chart looks the same without our fonts
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
matplotlib.rcParams.update(_RC)  # this process draws no other charts
_DRAWING = threading.Lock()


def _figure(height: float = 3.2) -> Figure:
    return Figure(figsize=(8, height), dpi=100, layout="constrained")


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _day_labels(stats: DashboardStats):
    return [row.day for row in stats.days]


def datetime_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def _date_axis(axes, stats: DashboardStats) -> None:
    """Days as "21/11" (the Swedish short form) without slanting, and the period in full below."""
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=10))
    axes.xaxis.set_major_formatter(DateFormatter("%-d/%-m"))
    axes.set_xlabel(f"{stats.date_from:%Y-%m-%d} – {stats.date_to:%Y-%m-%d}")
    # The whole period, even when its first or last days had no conversations.
    half_day = dt.timedelta(hours=12)
    axes.set_xlim(datetime_of(stats.date_from) - half_day, datetime_of(stats.date_to) + half_day)


def per_day(stats: DashboardStats) -> Figure:
    figure = _figure()
    axes = figure.subplots()
    axes.bar(_day_labels(stats), [row.conversations for row in stats.days], color=BLUE, width=0.8)
    axes.set_ylabel("Samtal")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _date_axis(axes, stats)
    return figure


def _horizontal_bars(pairs, xlabel: str, colour: str) -> Figure:
    pairs = list(pairs) or [("(inga samtal)", 0)]
    figure = _figure(height=max(2.0, 0.32 * len(pairs) + 1.0))
    axes = figure.subplots()
    labels = [label for label, _ in pairs][::-1]  # largest at the top
    axes.barh(labels, [count for _, count in pairs][::-1], color=colour)
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def per_language(stats: DashboardStats) -> Figure:
    return _horizontal_bars(stats.languages, "Samtal", BLUE)


def topic_pairs(stats: DashboardStats) -> list:
    """The topics' counts under their Swedish names (``sfi_enrol`` → "Sfi: Anmäl dig till SFI")."""
    return [(intent_label(key) if key in TOPIC_TITLES else key, count) for key, count in stats.topics]


def per_topic(stats: DashboardStats) -> Figure:
    return _horizontal_bars(topic_pairs(stats), "Samtal som tog upp ämnet", GREEN)


def per_municipality(stats: DashboardStats) -> Figure:
    return _horizontal_bars(stats.municipalities, "Samtal", ORANGE)


def rates(stats: DashboardStats) -> Figure:
    figure = _figure()
    axes = figure.subplots()
    days = _day_labels(stats)
    # A day without conversations has no rate: a gap in the line, not a misleading 0 %.
    nothing = float("nan")
    axes.plot(days, [row.handoff_rate if row.conversations else nothing for row in stats.days], color=BLUE,
              marker="o", markersize=3, label="Lämnade till en person")
    axes.plot(days, [row.fallback_rate if row.conversations else nothing for row in stats.days], color=ORANGE,
              marker="s", markersize=3,
              linestyle="--", label="Boten förstod inte")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel("Andel av dagens samtal")
    # Above the plot, so it never hides a point.
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    _date_axis(axes, stats)
    return figure


CHARTS: Dict[str, Callable[[DashboardStats], Figure]] = {
    "per-day": per_day,
    "languages": per_language,
    "topics": per_topic,
    "municipalities": per_municipality,
    "rates": rates,
}


def render_svg(name: str, stats: DashboardStats) -> bytes:
    """The chart ``name`` (a key of ``CHARTS``) as an SVG document."""
    with _DRAWING:
        return _svg(CHARTS[name](stats))
