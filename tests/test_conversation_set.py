"""The conversation set (tests/conversations) stays held out and well formed."""

from pathlib import Path

import pytest
import yaml

from bot.language import LANGUAGES
from bot.municipalities import directory
from tests.test_training_data import ROOT, domain_intents, examples, key

CONVERSATIONS = Path(__file__).resolve().parent / "conversations"


def turns(language):
    data = yaml.safe_load((CONVERSATIONS / f"{language}.yml").read_text(encoding="utf-8"))
    assert data["language"] == language
    return [turn for conversation in data["conversations"] for turn in conversation["turns"]]


def test_no_conversation_line_is_in_the_training_data():
    # One-word turns ("hej", "Malmö", "سلام") are in any training data; every longer line must not be.
    training = {key(text) for language in LANGUAGES for _, text in examples(ROOT / "data" / "nlu" / language)}
    lines = {key(turn["text"]) for language in LANGUAGES for turn in turns(language) if len(turn["text"].split()) > 1}
    assert sorted(lines & training) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_turn_names_a_real_intent_or_municipality(language):
    intents = domain_intents()
    for turn in turns(language):
        assert "intent" in turn or "municipality" in turn, turn
        assert turn.get("intent", "greet") in intents, turn
        assert "municipality" not in turn or directory().get(turn["municipality"]), turn
