"""Where the staff's published facts and Skolverket's registers disagree, per municipality.

The bot shows staff facts first and the register after them, so a disagreement means a
newcomer may be sent to an SFI provider that no longer offers SFI, or to a school that has
closed. This module finds such cases for the staff's review page (``webapp.facts.views``):

* SFI (staff ``sfi_provider`` facts ↔ the register's SFI offerings, grouped by provider):
  a staff provider that is not among the register's providers; one that the register lists
  only with past offerings; a register provider with current or upcoming offerings that the
  staff's list (when there is one) leaves out; names that differ only slightly.
* Schools (staff ``school_placement`` facts ↔ the register's school units): a unit that
  staff name but the register says is closed (UPPHORT), dormant (VILANDE) or only planned;
  names that differ only slightly. A placement office that is no school unit is no
  disagreement, so only names that match a unit are compared.

It reads the cache only (``bot.facts.cache``): a page view never touches the network.
Municipalities where staff say nothing about SFI are no disagreement either: there the
register simply fills in.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

from bot.facts.cache import CacheEntry, cache_key, now
from bot.facts.names import same_name, similar_name
from bot.facts.providers import PlannedEducationsProvider, SchoolUnitsProvider

SFI_KIND = "sfi_provider"
SCHOOL_KIND = "school_placement"
COMPARED_KINDS = (SFI_KIND, SCHOOL_KIND)
SFI_SOURCE = PlannedEducationsProvider.name
SCHOOL_SOURCE = SchoolUnitsProvider.name
# An offering that started more than this long ago no longer shows that its provider runs SFI
# (the register keeps past planned offerings); SFI has continuous intake, so "started less than
# a year ago" still counts as running.
PAST_AFTER = dt.timedelta(days=365)
MAX_LISTED = 6  # register providers named in one row

# Issue keys and how the (Swedish) staff page names them.
SFI_NOT_IN_REGISTER = "sfi_not_in_register"
SFI_REGISTER_EMPTY = "sfi_register_empty"
SFI_ONLY_PAST = "sfi_only_past"
SFI_MISSING_IN_STAFF = "sfi_missing_in_staff"
SCHOOL_NOT_ACTIVE = "school_not_active"
NAME_DIFFERS = "name_differs"
ISSUE_LABELS = {
    SFI_NOT_IN_REGISTER: "SFI-anordnaren finns inte bland registrets SFI-anordnare",
    SFI_REGISTER_EMPTY: "Registret har inga SFI-tillfällen i kommunen",
    SFI_ONLY_PAST: "Registret har bara tidigare SFI-tillfällen hos anordnaren",
    SFI_MISSING_IN_STAFF: "SFI-anordnare i registret saknas i era fakta",
    SCHOOL_NOT_ACTIVE: "Registret anger att skolenheten inte är aktiv",
    NAME_DIFFERS: "Namnen skiljer sig något",
}
SCHOOL_STATUS_LABELS = {"UPPHORT": "upphörd", "VILANDE": "vilande", "PLANERAD": "planerad", "AKTIV": "aktiv"}


@dataclass(frozen=True)
class RegisterCopy:
    """Which cached register copy a comparison used: name, the register's date, when fetched."""

    source: str  # as the bot cites it, e.g. "Skolverket, Planerade utbildningar"
    as_of: Optional[dt.date]
    fetched_at: dt.datetime
    fresh: bool
    url: str  # where staff can look the data up themselves


@dataclass(frozen=True)
class Disagreement:
    """One row of the review: what staff say, what the register says, and where to act."""

    issue: str
    area: str  # "sfi" or "school"
    staff_name: str = ""
    fact_kind: str = ""
    fact_key: str = ""
    staff_source_url: str = ""
    register_name: str = ""
    register_detail: str = ""
    register_url: str = ""
    register: Optional[RegisterCopy] = None

    @property
    def label(self) -> str:
        return ISSUE_LABELS[self.issue]


@dataclass
class MunicipalityReview:
    """Everything the page shows for one municipality."""

    code: str
    name: str
    rows: List[Disagreement] = field(default_factory=list)
    staff_fact_count: int = 0
    missing_copies: List[str] = field(default_factory=list)  # names of register sources with nothing cached


def register_copy(provider_name: str, entry: CacheEntry) -> RegisterCopy:
    provider = PlannedEducationsProvider if provider_name == SFI_SOURCE else SchoolUnitsProvider
    try:
        as_of = dt.date.fromisoformat(str(entry.payload.get("as_of", ""))[:10])
    except ValueError:
        as_of = None
    return RegisterCopy(provider.source, as_of, entry.fetched_at, entry.expires_at > now(), provider.more_url)


def web_link(url) -> str:
    """The URL if it is an http(s) link, else nothing: register data is not ours, and a
    ``javascript:`` or malformed URL must never become a link on a staff page."""
    url = str(url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) and " " not in url else ""


def _date(value) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _find(name: str, candidates: Iterable[str], place_words: Sequence[str]):
    """The candidate with the same name, else one with a similar name, else None; and which."""
    candidates = list(candidates)
    exact = next((c for c in candidates if same_name(name, c)), None)
    if exact is not None:
        return exact, True
    return next((c for c in candidates if similar_name(name, c, place_words)), None), False


def compare_sfi(facts: Sequence, entry: Optional[CacheEntry], today: dt.date,
                place_words: Sequence[str] = ()) -> List[Disagreement]:
    """Staff ``sfi_provider`` facts against the cached SFI offerings of one municipality."""
    if entry is None or not facts:
        return []
    copy = register_copy(SFI_SOURCE, entry)
    offerings: Dict[str, List[Optional[dt.date]]] = OrderedDict()
    for event in entry.payload.get("events", []):
        provider = (event.get("provider") or "").strip()
        if provider:
            offerings.setdefault(provider, []).append(_date(event.get("start")))

    def running(provider: str) -> bool:
        return any(start is None or start >= today - PAST_AFTER for start in offerings[provider])

    def describe(provider: str) -> str:
        starts = offerings[provider]
        upcoming = sorted(s for s in starts if s is not None and s >= today)
        text = f"{len(starts)} SFI-tillfälle{'n' if len(starts) != 1 else ''}"
        if upcoming:
            return f"{text}, nästa start {upcoming[0].isoformat()}"
        dated = sorted(s for s in starts if s is not None)
        return f"{text}, senaste start {dated[-1].isoformat()}" if dated else text

    rows, matched = [], set()
    for fact in facts:
        base = dict(area="sfi", staff_name=fact.name, fact_kind=fact.kind, fact_key=fact.key,
                    staff_source_url=web_link(fact.source_url), register=copy, register_url=copy.url)
        provider, exact = _find(fact.name, offerings, place_words)
        if provider is None:
            if offerings:
                names = list(offerings)
                listed = ", ".join(names[:MAX_LISTED]) + (f" och {len(names) - MAX_LISTED} till" if len(names) > MAX_LISTED else "")
                rows.append(Disagreement(SFI_NOT_IN_REGISTER, register_detail=f"Registrets anordnare: {listed}", **base))
            else:
                rows.append(Disagreement(SFI_REGISTER_EMPTY, register_detail="Inga SFI-tillfällen", **base))
            continue
        matched.add(provider)
        if not exact:
            rows.append(Disagreement(NAME_DIFFERS, register_name=provider, register_detail=describe(provider), **base))
        if not running(provider):
            rows.append(Disagreement(SFI_ONLY_PAST, register_name=provider, register_detail=describe(provider), **base))
    for provider in offerings:
        if provider not in matched and running(provider):
            rows.append(Disagreement(SFI_MISSING_IN_STAFF, area="sfi", register_name=provider,
                                     register_detail=describe(provider), register=copy, register_url=copy.url))
    return rows


def compare_schools(facts: Sequence, entry: Optional[CacheEntry], place_words: Sequence[str] = ()) -> List[Disagreement]:
    """Staff ``school_placement`` facts against the cached school units of one municipality."""
    if entry is None or not facts:
        return []
    copy = register_copy(SCHOOL_SOURCE, entry)
    units = OrderedDict()
    for unit in entry.payload.get("units", []):
        units.setdefault(unit.get("name") or "", dict(unit, status="AKTIV"))
    for unit in entry.payload.get("inactive_units", []):
        units.setdefault(unit.get("name") or "", unit)
    units.pop("", None)
    rows = []
    for fact in facts:
        name, exact = _find(fact.name, units, place_words)
        if name is None:
            continue  # a placement office or a contact, not a school unit: nothing to compare
        unit = units[name]
        status = unit.get("status") or ""
        detail = f"Skolenhet {unit.get('code', '')}, {SCHOOL_STATUS_LABELS.get(status, status.lower() or 'okänd status')}"
        base = dict(area="school", staff_name=fact.name, fact_kind=fact.kind, fact_key=fact.key,
                    staff_source_url=web_link(fact.source_url), register_name=name, register_detail=detail,
                    register_url=web_link(unit.get("url")) or copy.url, register=copy)
        if status != "AKTIV":
            rows.append(Disagreement(SCHOOL_NOT_ACTIVE, **base))
        elif not exact:
            rows.append(Disagreement(NAME_DIFFERS, **base))
    return rows


def review_municipality(code: str, name: str, facts: Sequence, cache, today: Optional[dt.date] = None,
                        place_words: Sequence[str] = ()) -> MunicipalityReview:
    """The review of one municipality from its published staff facts and the register cache."""
    today = today or dt.date.today()
    review = MunicipalityReview(code=code, name=name)
    sfi_facts = [f for f in facts if f.kind == SFI_KIND]
    school_facts = [f for f in facts if f.kind == SCHOOL_KIND]
    review.staff_fact_count = len(sfi_facts) + len(school_facts)
    words = tuple(place_words) or (name,)
    for source, compared in ((SFI_SOURCE, sfi_facts), (SCHOOL_SOURCE, school_facts)):
        if not compared:
            continue
        entry = _cached(cache, source, code)
        if entry is None:
            provider = PlannedEducationsProvider if source == SFI_SOURCE else SchoolUnitsProvider
            review.missing_copies.append(provider.source)
        elif source == SFI_SOURCE:
            review.rows += compare_sfi(compared, entry, today, words)
        else:
            review.rows += compare_schools(compared, entry, words)
    return review


def _cached(cache, source: str, code: str) -> Optional[CacheEntry]:
    try:
        return cache.get(cache_key(source, code))
    except Exception:  # Redis or the table unreachable: the page says "nothing cached"
        return None
