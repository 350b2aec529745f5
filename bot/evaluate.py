"""Intent accuracy per language on the held-out split: ``make eval``.

Reads ``tests/nlu/<lang>/*.yml`` (never used for training), parses every example with the
trained model exactly as the server does (pipeline incl. the fallback classifier) and prints
a table: accuracy, how often the bot would ask a clarifying question instead (nlu_fallback),
how often it would answer confidently but wrongly, and the mean parse time.

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

from bot.language import LANGUAGES
from bot.stack import ROOT, model_path

TEST_DIR = ROOT / "tests" / "nlu"


def load_examples(language: str) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted((TEST_DIR / language).glob("*.yml")):
        data = load_data(str(path))
        examples += [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return examples


async def evaluate(model: Path, show_errors: bool) -> Dict[str, Dict[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = {}
    for language in LANGUAGES:
        examples = load_examples(language)
        correct = fallback = wrong = 0
        started = time.perf_counter()
        confusions = Counter()
        for text, expected in examples:
            parsed = await agent.parse_message(text)
            predicted = parsed["intent"]["name"]
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
        results[language] = {"n": len(examples), "accuracy": correct / n, "fallback": fallback / n,
                             "wrong": wrong / n, "ms_per_message": 1000 * elapsed / n}
        if show_errors:
            for (expected, predicted, text), _ in sorted(confusions.items()):
                print(f"  [{language}] {expected:26} → {predicted:26} {text}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    results = asyncio.run(evaluate(args.model or model_path(), args.errors))
    print(f"\n{'language':10} {'examples':>8} {'accuracy':>9} {'clarify':>8} {'wrong':>7} {'ms/msg':>7}")
    for language, r in results.items():
        print(f"{language:10} {r['n']:>8} {r['accuracy']:>9.1%} {r['fallback']:>8.1%} {r['wrong']:>7.1%} {r['ms_per_message']:>7.1f}")
    return 0 if all(r["accuracy"] >= 0.9 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
