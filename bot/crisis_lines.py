"""The crisis phone numbers, kept in one place: data/content/crisis_lines.yml seeds them, the
database (``webapp.content.models.CrisisLine``, editable by admins) holds the current ones, and
every crisis text names them only by placeholder ("{children_line}").

``fill`` puts the numbers into a text. It replaces only the known placeholders, so a staff text
with other braces in it is left as it is rather than failing in the middle of a crisis.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional

import yaml

from bot.settings import ROOT

SEED_FILE = ROOT / "data" / "content" / "crisis_lines.yml"
# Which line each crisis must name besides 112 (the tests check every language for both).
LINE_OF_CRISIS = {"crisis_violence": ("women_line", "children_line"), "crisis_suicide": ("suicide_line", "children_line"),
                  "crisis_health": ("health_line",)}


@dataclass(frozen=True)
class Line:
    key: str
    name: str
    number: str
    description: str = ""
    source_url: str = ""


@functools.lru_cache(maxsize=4)
def seed(path: str = str(SEED_FILE)) -> Dict[str, Line]:
    """The lines as the seed file has them (also the fallback when the database has none)."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return {key: Line(key=key, name=entry["name"], number=str(entry["number"]),
                      description=entry.get("description", ""), source_url=entry.get("source_url", ""))
            for key, entry in document["lines"].items()}


def seed_checked_on():
    with open(SEED_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle).get("checked_on")


def numbers(current: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """key → number: the database's numbers (``current``) over the seed's."""
    merged = {key: line.number for key, line in seed().items()}
    merged.update({key: value for key, value in (current or {}).items() if value})
    return merged


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, current: Mapping[str, str], wrap: Callable[[str], str] = lambda number: number) -> str:
    """``text`` with each known ``{key}`` replaced by its number (passed through ``wrap``, which
    isolates it in right-to-left text); unknown placeholders stay as they are."""
    return _PLACEHOLDER.sub(lambda m: wrap(current[m.group(1)]) if m.group(1) in current else m.group(0), text)
