"""Every URL the content points a newcomer to, and whether it still answers.

``collect_urls`` finds the URLs in the answer texts, the topics' sources, the municipality
facts, the office hours / service contacts and the municipalities' web sites, each with the
places it is used. ``check_urls`` asks each one (HEAD, then GET where HEAD is refused) with a
timeout and a small thread pool, so a slow site delays the report, not the whole run.
``manage.py links`` (``make links``) prints and saves the report; with FACTS_OFFLINE=1 it
requests nothing.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import requests
import yaml

from bot.settings import ROOT

CONTENT_DIR = ROOT / "data" / "content"
MUNICIPALITIES_DIR = ROOT / "data" / "municipalities"
URL_PATTERN = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
# Trailing punctuation belongs to the sentence, not the URL ("… på bris.se.").
TRAILING = ".,;:!?…»”’"
USER_AGENT = "newcomer-assistant-link-check/1.0 (content review; +https://github.com/)"


def _urls_in(value, where: str, found: Dict[str, List[str]]):
    if isinstance(value, dict):
        for key, inner in value.items():
            _urls_in(inner, f"{where}{key}" if where.endswith(":") else f"{where}.{key}", found)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _urls_in(inner, f"{where}[{index}]", found)
    elif isinstance(value, str):
        for match in URL_PATTERN.findall(value):
            url = match.rstrip(TRAILING)
            places = found.setdefault(url, [])
            if where not in places:
                places.append(where)


def collect_urls(content_dir: Path = CONTENT_DIR, municipalities_dir: Path = MUNICIPALITIES_DIR) -> Dict[str, List[str]]:
    """URL → the places it is used ("facts.yml:facts.0182[1].url"), in a stable order."""
    found: Dict[str, List[str]] = {}
    files = sorted((content_dir / "answers").glob("*.yml")) + [
        content_dir / name for name in ("topics.yml", "facts.yml", "office_hours.yml")
    ] + [municipalities_dir / "websites.yml"]
    for path in files:
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        label = path.relative_to(path.parent.parent) if path.parent.name == "answers" else Path(path.name)
        _urls_in(document, f"{label}:", found)
    return dict(sorted(found.items()))


def collect_database_urls(found: Dict[str, List[str]], municipalities: Optional[List[str]] = None) -> Dict[str, List[str]]:
    """Add the URLs of what staff published or edited in the database (answers, facts, service
    contacts), which may differ from the seed files: "db:facts.0182.sfi_provider/komvux.url".
    ``municipalities`` limits it to those codes (their local answers, facts and contacts)."""
    from webapp.content.models import AnswerVersion, FactVersion, Status
    from webapp.handoff.models import ServiceContact

    answers = AnswerVersion.objects.filter(status=Status.PUBLISHED).exclude(origin="seed")
    facts = FactVersion.objects.filter(status=Status.PUBLISHED).exclude(origin="seed")
    contacts = ServiceContact.objects.exclude(url="").exclude(origin="seed")
    if municipalities:
        answers = answers.filter(municipality_id__in=municipalities)
        facts = facts.filter(municipality_id__in=municipalities)
        contacts = contacts.filter(municipality_id__in=municipalities)
    for answer in answers:
        _urls_in(answer.text, f"db:answers.{answer.municipality_id or 'national'}.{answer.topic}.{answer.language}", found)
    for fact in facts:
        for field_name in ("url", "source_url"):
            _urls_in(getattr(fact, field_name), f"db:facts.{fact.municipality_id}.{fact.kind}/{fact.key}.{field_name}", found)
    for contact in contacts:
        _urls_in(contact.url, f"db:service_contacts.{contact.pk}.url", found)
    return dict(sorted(found.items()))


@dataclass
class LinkResult:
    url: str
    used_in: List[str]
    status: Optional[int] = None  # the final HTTP status; None when no answer came
    final_url: Optional[str] = None  # where redirects ended, if anywhere else
    error: str = ""

    @property
    def verdict(self) -> str:
        if self.status is None:
            return "error"
        if self.status >= 400:
            return "broken"
        return "redirected" if self.final_url and self.final_url != self.url else "ok"


def check_url(url: str, used_in: List[str], timeout: float) -> LinkResult:
    result = LinkResult(url, used_in)
    headers = {"User-Agent": USER_AGENT}
    try:
        response = requests.head(url, timeout=timeout, allow_redirects=True, headers=headers)
        if response.status_code in (403, 405, 501):  # some servers refuse HEAD but serve GET
            response = requests.get(url, timeout=timeout, allow_redirects=True, headers=headers, stream=True)
            response.close()
        result.status = response.status_code
        if response.history:
            result.final_url = response.url
    except requests.Timeout:
        result.error = f"no answer within {timeout:g} s"
    except requests.RequestException as exc:
        result.error = type(exc).__name__ + ": " + str(exc)[:200]
    return result


def check_urls(urls: Dict[str, List[str]], timeout: float = 10.0, workers: int = 4) -> List[LinkResult]:
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda item: check_url(item[0], item[1], timeout), urls.items()))


def report_lines(results: Iterable[LinkResult]) -> List[str]:
    results = list(results)
    counts: Dict[str, int] = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    lines = ["verdict\tstatus\turl\tredirected to / error\tused in"]
    order = {"broken": 0, "error": 1, "redirected": 2, "ok": 3}
    for r in sorted(results, key=lambda r: (order[r.verdict], r.url)):
        lines.append("\t".join([r.verdict, str(r.status or "-"), r.url, r.final_url or r.error or "-",
                                "; ".join(r.used_in)]))
    summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in ("ok", "redirected", "broken", "error"))
    lines.append(f"{len(results)} URLs checked: {summary}")
    return lines
