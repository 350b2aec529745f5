"""Guidance while waiting for a person: what a newcomer should know at once in a high-stakes
situation (a Migrationsverket decision, an eviction threat, social services and their children,
debts), before a person has read the question.

The texts live in data/content/handoff_guidance.yml, written for each language, with the public
pages each fact was checked against. ``actions/handoff.py`` sends the text right after the
hand-off acknowledgement. General information only; the person who answers gives advice.
"""

from __future__ import annotations

import functools
from typing import Dict, List, Optional

import yaml

from bot.settings import ROOT

GUIDANCE_FILE = ROOT / "data" / "content" / "handoff_guidance.yml"


@functools.lru_cache(maxsize=1)
def _document() -> dict:
    return yaml.safe_load(GUIDANCE_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _category_of_intent() -> Dict[str, str]:
    return {intent: name for name, category in _document()["categories"].items() for intent in category["intents"]}


def category_for(intent: Optional[str]) -> Optional[str]:
    return _category_of_intent().get(intent or "")


def guidance_for(intent: Optional[str], language: str) -> Optional[str]:
    """The guidance text for a hand-off intent in ``language``; None when the intent has none."""
    name = category_for(intent)
    if name is None:
        return None
    texts = _document()["categories"][name]["text"]
    return (texts.get(language) or texts["sv"]).strip()


def sources(category: str) -> List[str]:
    return list(_document()["categories"][category]["sources"])


def categories() -> List[str]:
    return list(_document()["categories"])
