"""How many of the shipped municipality facts are verified, computed from data/content/facts.yml
(never typed by hand): used by ``manage.py facts_report``, docs/content-sources.md and the test
that keeps the README's count honest."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import yaml

from bot.municipalities import directory
from bot.settings import ROOT

FACTS_FILE = ROOT / "data" / "content" / "facts.yml"


@dataclass
class MunicipalityFacts:
    code: str
    name: str
    verified: List[dict] = field(default_factory=list)
    examples: List[dict] = field(default_factory=list)


@dataclass
class FactsSummary:
    municipalities: List[MunicipalityFacts]

    @property
    def with_verified_facts(self) -> int:
        return sum(1 for m in self.municipalities if m.verified)

    @property
    def verified_facts(self) -> int:
        return sum(len(m.verified) for m in self.municipalities)

    @property
    def all_facts(self) -> int:
        return sum(len(m.verified) + len(m.examples) for m in self.municipalities)


def summarise(path: Path = FACTS_FILE) -> FactsSummary:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = directory()
    rows: Dict[str, MunicipalityFacts] = {}
    for code, entries in document["facts"].items():
        code = str(code)
        known = names.get(code)
        row = rows.setdefault(code, MunicipalityFacts(code, known.name if known else code))
        for entry in entries:
            (row.examples if entry.get("is_example", True) else row.verified).append(entry)
    return FactsSummary(sorted(rows.values(), key=lambda m: m.name))


def readme_sentence(summary: FactsSummary) -> str:
    """The README's sentence; tests/test_content_review.py checks the README carries it."""
    return (f"{summary.with_verified_facts} of the {len(summary.municipalities)} municipalities with shipped facts "
            f"have verified facts ({summary.verified_facts} of {summary.all_facts} facts)")
