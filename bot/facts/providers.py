"""The facts providers, all behind one interface.

A provider answers ``facts(municipality, topic_key, snapshot, cache)`` from what is already
at hand (never the network). Register providers also know how to ``fetch`` fresh data for a
municipality (network; called in the background and by ``facts_refresh``).

Field names come from Skolverket's published OpenAPI specifications (tests/fake_skolverket.py
cites them): Skolenhetsregistret v2 (``/v2/school-units``, ``/v2/school-units/{schoolUnitCode}``)
and Planned Educations v3 (``/v3/adult-education-events``).
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from bot.facts import config
from bot.facts.cache import CacheEntry, cache_key
from bot.facts.http import RegisterClient

# Which register kinds a topic shows. School types are Skolenhetsregistret's codes
# (schoolTypes): GR grundskola, GY gymnasieskola. Preschools (förskolor) are not school units
# and Skolverket has no open register of them, so the preschool topic keeps to shipped/staff
# facts and the municipality's web site.
SCHOOL_TOPICS: Dict[str, Tuple[str, ...]] = {
    "school_enrol": ("GR",),
    "school_change": ("GR",),
    "school_upper_secondary": ("GY",),
}
SFI_TOPICS = ("sfi_enrol", "sfi_evening_distance", "sfi_what_is")
MAX_ITEMS = 5
PAGE_SIZE = 100
MAX_PAGES = 20  # a municipality has far fewer SFI offerings; this only bounds a misbehaving server
PLANNED_EDUCATIONS_ACCEPT = "application/vnd.skolverket.plannededucations.api.v3.hal+json"
EVENING_WORDS = ("kväll", "kvall")  # the listed event has no evening field; its Swedish title says so


@dataclass(frozen=True)
class Item:
    """One register entry as the answer shows it."""

    name: str
    url: str = ""
    start_date: Optional[dt.date] = None
    evening: bool = False
    distance: bool = False
    provider: str = ""


@dataclass(frozen=True)
class FactSet:
    """What one source says for one topic and municipality: items, source name, date."""

    source: str
    items: Tuple[Item, ...]
    as_of: dt.date
    stale: bool = False  # from cache because the source could not be reached
    total: int = 0
    more_url: str = ""
    kind: str = ""  # "GR", "GY" or "sfi": which heading the answer gives the list


@dataclass
class LocalFacts:
    """Everything the answer needs about local facts for one topic and municipality."""

    staff: list = field(default_factory=list)  # bot.content.Fact, shipped/staff-edited: they win
    register: Optional[FactSet] = None
    website: str = ""


class FactsProvider(abc.ABC):
    """One source of local facts."""

    name: str = ""
    source: str = ""  # the source's name as the answer cites it

    @abc.abstractmethod
    def covers(self, topic_key: str) -> bool:
        """Whether this provider has anything to say about the topic."""


class StaffFactsProvider(FactsProvider):
    """The shipped and staff-edited facts in the database (through the content snapshot)."""

    name = "staff"

    def covers(self, topic_key: str) -> bool:
        return True

    @staticmethod
    def facts(snapshot, municipality_code: str, fact_kinds: Tuple[str, ...]) -> list:
        return snapshot.facts_for(municipality_code, fact_kinds)


class WebsiteProvider(FactsProvider):
    """The last resort: the municipality's own web site."""

    name = "website"

    def covers(self, topic_key: str) -> bool:
        return True

    @staticmethod
    def facts(municipality) -> str:
        return municipality.website or ""


class RegisterProvider(FactsProvider):
    """A Skolverket register: fetched per municipality, kept in the cache, read from it."""

    more_url = ""

    def __init__(self, client: RegisterClient):
        self.client = client

    def key(self, municipality_code: str) -> str:
        return cache_key(self.name, municipality_code)

    @abc.abstractmethod
    def fetch(self, municipality_code: str) -> dict:
        """Fresh data for a municipality as a cacheable payload (raises SourceUnavailable)."""

    @abc.abstractmethod
    def fact_set(self, entry: CacheEntry, topic_key: str, stale: bool) -> Optional[FactSet]:
        """The part of a cached payload one topic shows."""


class SchoolUnitsProvider(RegisterProvider):
    """Skolverket's school-unit register, Skolenhetsregistret v2."""

    name = "school_units"
    source = "Skolverket, Skolenhetsregistret"
    more_url = "https://utbildningsguiden.skolverket.se"

    def covers(self, topic_key: str) -> bool:
        return topic_key in SCHOOL_TOPICS

    def fetch(self, municipality_code: str) -> dict:
        base = config.school_units_url()
        listing = self.client.get_json(f"{base}/v2/school-units", params={"municipality_code": municipality_code},
                                       validate=_valid_school_unit_list)
        units, inactive = [], []
        for unit in listing["data"]["attributes"]:
            if unit.get("status") != "AKTIV":
                # Not shown to users, but kept (from the list alone, no detail call) so that the
                # staff's facts review can flag a closed or dormant unit that staff still list.
                inactive.append({"code": unit["schoolUnitCode"], "name": unit.get("name") or "",
                                 "status": unit.get("status") or ""})
                continue
            details = self.client.get_json(f"{base}/v2/school-units/{unit['schoolUnitCode']}",
                                           validate=_valid_school_unit_details)["data"]["attributes"]
            if details.get("municipalityCode") not in (None, municipality_code):
                continue  # the list filter is the server's; the code field is the truth
            units.append({
                "code": unit["schoolUnitCode"],
                "name": details.get("displayName") or unit.get("name") or "",
                "url": details.get("url") or "",
                "school_types": list(details.get("schoolTypes") or []),
                **_visiting_address(details),
            })
        extract = (listing.get("meta") or {}).get("extractDate") or ""
        return {"as_of": extract[:10] or dt.date.today().isoformat(), "units": units, "inactive_units": inactive}

    def fact_set(self, entry: CacheEntry, topic_key: str, stale: bool) -> Optional[FactSet]:
        wanted = set(SCHOOL_TOPICS.get(topic_key, ()))
        units = sorted((u for u in entry.payload.get("units", []) if wanted & set(u.get("school_types", []))),
                       key=lambda u: u["name"].casefold())
        items = tuple(Item(u["name"], u.get("url", "")) for u in units)
        return FactSet(self.source, items[:MAX_ITEMS], dt.date.fromisoformat(entry.payload["as_of"]), stale,
                       total=len(items), more_url=self.more_url, kind=next(iter(wanted)))


class PlannedEducationsProvider(RegisterProvider):
    """Skolverket's planned educations: SFI offerings (adult education events) per municipality."""

    name = "sfi_offerings"
    source = "Skolverket, Planerade utbildningar"
    more_url = "https://utbildningsguiden.skolverket.se"

    def covers(self, topic_key: str) -> bool:
        return topic_key in SFI_TOPICS

    def fetch(self, municipality_code: str) -> dict:
        url = f"{config.planned_educations_url()}/v3/adult-education-events"
        events, page, pages = [], 0, 1
        while page < min(pages, MAX_PAGES):
            document = self.client.get_json(
                url, params={"typeOfSchool": "sfi", "geographicalAreaCode": municipality_code,
                             "page": page, "size": PAGE_SIZE},
                accept=PLANNED_EDUCATIONS_ACCEPT, validate=_valid_adult_education_page)
            body = document["body"]
            for event in (body.get("_embedded") or {}).get("listedAdultEducationEvents", []):
                if event.get("geographicalAreaCode") not in (None, municipality_code):
                    continue
                events.append(_sfi_event(event))
            pages = int(body["page"].get("totalPages") or 0)
            page += 1
        return {"as_of": dt.date.today().isoformat(), "events": events}

    def fact_set(self, entry: CacheEntry, topic_key: str, stale: bool) -> Optional[FactSet]:
        today = dt.date.today()
        items = [Item(e["title"], e.get("url", ""), _date_or_none(e.get("start")), e.get("evening", False),
                      e.get("distance", False), e.get("provider", "")) for e in entry.payload.get("events", [])]
        items.sort(key=lambda i: _sfi_relevance(i, today, topic_key))
        return FactSet(self.source, tuple(items[:MAX_ITEMS]), dt.date.fromisoformat(entry.payload["as_of"]), stale,
                       total=len(items), more_url=self.more_url, kind="sfi")


def _visiting_address(details: dict) -> dict:
    """Postal code, locality and coordinates of the unit's visiting address, kept for a
    nearest-first sort once postal codes can be placed (docs/facts.md, "Not done yet")."""
    addresses = [a for a in details.get("addresses") or [] if isinstance(a, dict)]
    address = next((a for a in addresses if a.get("type") == "BESOKSADRESS"), addresses[0] if addresses else {})
    geo = address.get("geoCoordinates") if isinstance(address.get("geoCoordinates"), dict) else {}
    try:
        coordinates = [float(geo["latitude"]), float(geo["longitude"])]
    except (KeyError, TypeError, ValueError):
        coordinates = None
    return {"postal_code": str(address.get("postalCode") or "").replace(" ", ""),
            "locality": str(address.get("locality") or ""), "coordinates": coordinates}


def _sfi_event(event: dict) -> dict:
    title = event.get("titleSv") or "SFI"
    return {
        "id": event.get("educationEventId", ""),
        "title": title,
        "provider": event.get("providerName") or "",
        "start": (event.get("semesterStartFrom") or "")[:10],
        "distance": event.get("distance") is True,
        "evening": any(word in title.casefold() for word in EVENING_WORDS),
    }


def _sfi_relevance(item: Item, today: dt.date, topic_key: str):
    """Upcoming and current first (soonest first), then undated, then past; for the evening/
    distance question, flagged offerings go first within that order."""
    if item.start_date is None:
        timing = (1, 0)
    elif item.start_date >= today - dt.timedelta(days=31):
        timing = (0, item.start_date.toordinal())
    else:
        timing = (2, -item.start_date.toordinal())
    flagged = 0 if topic_key != "sfi_evening_distance" or item.evening or item.distance else 1
    return (flagged, timing, item.name.casefold())


def _date_or_none(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _valid_school_unit_list(document: dict) -> bool:
    data = document.get("data")
    return isinstance(data, dict) and isinstance(data.get("attributes"), list) and all(
        isinstance(u, dict) and isinstance(u.get("schoolUnitCode"), str) for u in data["attributes"])


def _valid_school_unit_details(document: dict) -> bool:
    data = document.get("data")
    return isinstance(data, dict) and isinstance(data.get("attributes"), dict) and \
        isinstance(data["attributes"].get("schoolTypes", []), list)


def _valid_adult_education_page(document: dict) -> bool:
    body = document.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("page"), dict):
        return False
    events = (body.get("_embedded") or {}).get("listedAdultEducationEvents", [])
    return isinstance(events, list) and all(isinstance(e, dict) for e in events)


def register_providers(client: RegisterClient) -> List[RegisterProvider]:
    return [SchoolUnitsProvider(client), PlannedEducationsProvider(client)]
