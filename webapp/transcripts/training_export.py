"""Turn the training examples admins chose on "Obesvarade frågor" into Rasa NLU files.

``data/nlu/<lang>/from_review.yml`` holds them in Rasa's YAML training format. The export adds
to what the file already holds (the file is in git, and a fresh database must not wipe it);
for a question already in the file, the database's intent wins. A question that the rest of
the training data already has is left out, and so is one from the held-out split
(``tests/nlu/<lang>/``): training on the test questions would make ``make eval`` lie.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.language import LANGUAGES
from webapp.transcripts.models import TrainingExample, question_key

FILE_NAME = "from_review.yml"
HEADER = (
    "# Questions newcomers asked that the bot did not understand, each assigned to an intent by an\n"
    "# admin on the review page \"Obesvarade frågor\". Written by `manage.py export_training_examples`\n"
    "# (it adds to this file; remove a line here to drop an example). See docs/review.md.\n"
)
# Rasa reads "[text](entity)", "[text]{...}" and "[text][...]" inside an example as an entity
# annotation (rasa.shared.nlu.training_data.entities_parser.ENTITY_REGEX: the brackets must
# touch); a newcomer's text with such a run would become an entity the domain lacks.
_ANNOTATION = re.compile(r"\](?=[(\[{])")


def as_example_line(text: str) -> str:
    """One message as a safe line of an ``examples: |`` block."""
    text = " ".join(text.split())  # one line, no leading/trailing spaces
    return _ANNOTATION.sub("] ", text)


def read_examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) pairs of an NLU YAML file; empty when it does not exist."""
    if not path.exists():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in document.get("nlu") or []:
        if "intent" not in item:
            continue
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((item["intent"], line[2:].strip()))
    return pairs


def render(examples: Dict[str, List[str]]) -> str:
    """Rasa NLU YAML for ``{intent: [text, …]}``."""
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in sorted(examples[intent]))
    return "\n".join(lines) + "\n"


@dataclass
class LanguageReport:
    language: str
    path: Path
    written: int = 0
    added: int = 0
    already_trained: List[str] = field(default_factory=list)  # in the other training files
    held_out: List[str] = field(default_factory=list)  # in the held-out split


def export(nlu_dir: Path, heldout_dir: Path) -> List[LanguageReport]:
    reports = []
    by_language = defaultdict(list)
    for example in TrainingExample.objects.order_by("created_at", "id"):
        by_language[example.language].append(example)
    for language in LANGUAGES:
        path = nlu_dir / language / FILE_NAME
        report = LanguageReport(language, path)
        reports.append(report)
        current = {question_key(text): (intent, text) for intent, text in read_examples(path)}
        if not by_language[language] and not current:
            continue
        trained = {question_key(text) for other in sorted((nlu_dir / language).glob("*.yml"))
                   if other.name != FILE_NAME for _intent, text in read_examples(other)}
        held_out = {question_key(text) for other in sorted((heldout_dir / language).glob("*.yml"))
                    for _intent, text in read_examples(other)}
        for example in by_language[language]:
            key = question_key(example.text)
            if key in held_out:
                report.held_out.append(example.text)
            elif key in trained:
                report.already_trained.append(example.text)
            else:
                if key not in current:
                    report.added += 1
                current[key] = (example.intent, as_example_line(example.text))
        grouped = defaultdict(list)
        for intent, text in current.values():
            grouped[intent].append(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(grouped), encoding="utf-8")
        report.written = len(current)
    return reports
