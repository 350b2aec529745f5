"""Intent accuracy per language on the held-out split, and task success on the conversation
set: ``make eval``.

Reads ``tests/nlu/<lang>/*.yml`` (never used for training), parses every example with the
trained model exactly as the server does (pipeline incl. the decision layer) and prints a
table: accuracy, coverage (answered rather than clarified) and the accuracy of what is
answered, how often the bot would ask instead (nlu_fallback) or answer wrongly, how many
crisis and hand-off messages reach a person, and the mean parse time. Then the conversations
of ``tests/conversations/<lang>.yml`` (question → municipality → answer; see its README).

    python -m bot.evaluate [--errors] [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.decision import URGENT_GROUPS, topic_of
from bot.language import LANGUAGES, choose_reply_language
from bot.stack import ROOT, model_path

TEST_DIR = ROOT / "tests" / "nlu"
CONVERSATION_DIR = ROOT / "tests" / "conversations"


def load_examples(language: str) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted((TEST_DIR / language).glob("*.yml")):
        data = load_data(str(path))
        examples += [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return examples


def load_conversations(language: str) -> List[dict]:
    path = CONVERSATION_DIR / f"{language}.yml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]


def _same_outcome(expected: str, predicted: str) -> bool:
    """Right intent; for crisis and hand-off, any intent of the group (a person takes over)."""
    if predicted == expected:
        return True
    group = topic_of(expected)
    return group in URGENT_GROUPS and topic_of(predicted) == group


async def evaluate(model: Path, show_errors: bool) -> Dict[str, Dict[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = {}
    for language in LANGUAGES:
        examples = load_examples(language)
        correct = fallback = wrong = 0
        urgent_n = urgent_hit = 0
        started = time.perf_counter()
        confusions = Counter()
        for text, expected in examples:
            parsed = await agent.parse_message(text)
            predicted = parsed["intent"]["name"]
            if topic_of(expected) in URGENT_GROUPS:
                urgent_n += 1
                urgent_hit += topic_of(predicted) in URGENT_GROUPS
            if predicted == expected:
                correct += 1
            elif predicted == "nlu_fallback":
                fallback += 1
                confusions[(expected, "nlu_fallback", text)] += 1
            else:
                wrong += 1
                confusions[(expected, predicted, text)] += 1
        elapsed = time.perf_counter() - started
        n = len(examples) or 1
        answered = max(correct + wrong, 1)
        results[language] = {"n": len(examples), "accuracy": correct / n, "fallback": fallback / n,
                             "wrong": wrong / n, "coverage": (correct + wrong) / n,
                             "answered_accuracy": correct / answered,
                             "urgent_recall": urgent_hit / max(urgent_n, 1),
                             "ms_per_message": 1000 * elapsed / n}
        conversations = load_conversations(language)
        successes = 0
        for conversation in conversations:
            failures = await _run_conversation(agent, language, conversation)
            successes += not failures
            if show_errors:
                for failure in failures:
                    print(f"  [{language} conversation] {failure}")
        results[language]["conversations"] = len(conversations)
        results[language]["task_success"] = successes / max(len(conversations), 1)
        if show_errors:
            for (expected, predicted, text), _ in sorted(confusions.items()):
                print(f"  [{language}] {expected:26} → {predicted:26} {text}")
    return results


async def _run_conversation(agent, language: str, conversation: dict) -> List[str]:
    """The failures of one conversation: each turn parsed by the model, with the reply language
    and the municipality slot decided as the actions decide them (``actions.actions.read_turn``:
    ``choose_reply_language`` on the text and the conversation's language; the municipality
    entity, else the slot as it was). No metadata: the language must come from the text."""
    current_language, municipality = None, None
    failures = []
    for turn in conversation["turns"]:
        text = turn["text"]
        parsed = await agent.parse_message(text)
        predicted = parsed["intent"]["name"]
        found = [e["value"] for e in parsed.get("entities", []) if e.get("entity") == "municipality"]
        municipality = found[-1] if found else municipality
        current_language = choose_reply_language(text, current_language)
        if "intent" in turn and not _same_outcome(turn["intent"], predicted):
            failures.append(f"{text!r}: intent {predicted}, expected {turn['intent']}")
        if "municipality" in turn and municipality != turn["municipality"]:
            failures.append(f"{text!r}: municipality {municipality}, expected {turn['municipality']}")
        if current_language != language:
            failures.append(f"{text!r}: reply language {current_language}, expected {language}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    results = asyncio.run(evaluate(args.model or model_path(), args.errors))
    print("\nHeld-out split (tests/nlu): accuracy = right intent / all; answered = not clarified;"
          "\nanswered acc. = right / answered; urgent = crisis and hand-off messages that reach a person")
    print(f"{'language':10} {'examples':>8} {'accuracy':>9} {'answered':>9} {'ans.acc':>8} {'clarify':>8} "
          f"{'wrong':>7} {'urgent':>7} {'ms/msg':>7}")
    for language, r in results.items():
        print(f"{language:10} {r['n']:>8} {r['accuracy']:>9.1%} {r['coverage']:>9.1%} {r['answered_accuracy']:>8.1%} "
              f"{r['fallback']:>8.1%} {r['wrong']:>7.1%} {r['urgent_recall']:>7.1%} {r['ms_per_message']:>7.1f}")
    print("\nConversation set (tests/conversations): task success = every turn's intent, municipality"
          "\nslot and reply language right")
    print(f"{'language':10} {'conversations':>13} {'task success':>13}")
    for language, r in results.items():
        print(f"{language:10} {r['conversations']:>13} {r['task_success']:>13.1%}")
    return 0 if all(r["accuracy"] >= 0.9 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
