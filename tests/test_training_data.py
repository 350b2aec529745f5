"""The training data and the held-out split: complete per language, and never overlapping."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.language import LANGUAGES, normalize_for_nlu

ROOT = Path(__file__).resolve().parent.parent
MIN_EXAMPLES = 30


def examples(folder: Path):
    found = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in item["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((item["intent"], line[2:]))
    return found


def key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", normalize_for_nlu(text)).strip()


def domain_intents():
    return set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_training_examples_in_every_language(language):
    counts = Counter(intent for intent, _ in examples(ROOT / "data" / "nlu" / language))
    assert set(counts) == domain_intents()
    assert min(counts.values()) >= MIN_EXAMPLES, counts.most_common()[-3:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_split_covers_every_intent(language):
    counts = Counter(intent for intent, _ in examples(ROOT / "tests" / "nlu" / language))
    assert set(counts) == domain_intents()


def test_no_held_out_example_is_in_the_training_data():
    training = {key(text) for language in LANGUAGES for _, text in examples(ROOT / "data" / "nlu" / language)}
    held_out = {key(text) for language in LANGUAGES for _, text in examples(ROOT / "tests" / "nlu" / language)}
    assert sorted(training & held_out) == []


def test_intent_names_begin_with_their_topic():
    topical = {i for i in domain_intents() if i.split("_")[0] in ("sfi", "housing", "school")}
    assert len(topical) == 23
