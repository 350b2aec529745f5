"""Choose the decision layer's thresholds on a development split: ``python -m bot.thresholds``.

The development split is 5-fold cross-validation over the *training* data (``data/nlu``): every
example is scored by a classifier that never saw it. The held-out split (``tests/nlu``) and the
conversation set (``tests/conversations``) are never looked at here, so ``make eval`` stays an
honest measure of the thresholds chosen.

The features are rebuilt with scikit-learn's ``CountVectorizer`` in the configuration of
config.yml (word 1–2-grams and char_wb 1–5-grams of the normalised text, TF-IDF, a linear
SVM): the same model as the Rasa pipeline, without a Rasa training run per fold.

It prints, for a grid of thresholds, per language: coverage (answered without asking), accuracy
of what is answered, and the urgent group's recall and false alarms; and the thresholds that
maximise ``correct − 2 × wrong`` (a wrong answer costs two clarifying questions) subject to an
urgent recall of at least 92 % in every language. Copy them into config.yml by hand, with
the figures into docs/understanding.md.
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np

from bot.decision import URGENT_GROUPS, decide, fit_temperature, softmax, topic_of
from bot.language import LANGUAGES, normalize_for_nlu
from bot.stack import ROOT

# The urgent floor: below a group threshold of 0.2 recall rises by one to three points while
# false alarms (a person reading an ordinary question) climb past 4 % (docs/understanding.md).
URGENT_RECALL_MIN = 0.92
WRONG_COST = 2.0


def training_examples() -> List[Tuple[str, str, str]]:
    """(language, text, intent) of every training example."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for language in LANGUAGES:
        for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
            examples += [(language, m.get("text"), m.get("intent")) for m in load_data(str(path)).intent_examples]
    return examples


def out_of_fold_probabilities(texts: List[str], labels: np.ndarray, folds: int = 5):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    normalized = [normalize_for_nlu(t) for t in texts]
    classes = sorted(set(labels))
    margins = np.zeros((len(texts), len(classes)))
    for train_rows, held_rows in StratifiedKFold(folds, shuffle=True, random_state=7).split(normalized, labels):
        words = CountVectorizer(ngram_range=(1, 2))
        chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 5))
        train_text = [normalized[i] for i in train_rows]
        held_text = [normalized[i] for i in held_rows]
        tfidf = TfidfTransformer(sublinear_tf=True)
        x_train = tfidf.fit_transform(hstack([words.fit_transform(train_text), chars.fit_transform(train_text)]).tocsr())
        x_held = tfidf.transform(hstack([words.transform(held_text), chars.transform(held_text)]).tocsr())
        svm = LinearSVC(C=0.5, class_weight="balanced", random_state=42).fit(x_train, labels[train_rows])
        margins[held_rows] = svm.decision_function(x_held)
    index = np.array([classes.index(label) for label in labels])
    scale = fit_temperature(margins, index)
    return classes, softmax(margins, scale), scale


def score(rows, thresholds) -> Dict[str, Dict[str, float]]:
    """Per language: coverage, answered accuracy, urgent recall and false alarms, utility."""
    stats: Dict[str, Dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for language, text, expected, ranking in rows:
        decision = decide(ranking, text, thresholds)
        s = stats[language]
        s["n"] += 1
        urgent_expected = topic_of(expected) in URGENT_GROUPS
        s["urgent_n"] += urgent_expected
        if decision.kind == "urgent":
            s["urgent_hit"] += urgent_expected
            s["false_alarm"] += not urgent_expected
        if decision.kind == "clarify":
            s["clarified"] += 1
        elif decision.intent == expected:
            s["correct"] += 1
        elif not (urgent_expected and decision.kind == "urgent"):
            s["wrong"] += 1
        else:
            s["correct"] += 1  # another hand-off intent: a person reads it either way
    result = {}
    for language, s in stats.items():
        answered = s["n"] - s["clarified"]
        result[language] = {
            "coverage": answered / s["n"], "accuracy": s["correct"] / max(answered, 1),
            "urgent_recall": s["urgent_hit"] / max(s["urgent_n"], 1),
            "false_alarm": s["false_alarm"] / max(s["n"] - s["urgent_n"], 1),
            "utility": (s["correct"] - WRONG_COST * s["wrong"]) / s["n"],
        }
    return result


def main() -> int:
    examples = training_examples()
    labels = np.array([intent for _, _, intent in examples])
    classes, probabilities, scale = out_of_fold_probabilities([t for _, t, _ in examples], labels)
    print(f"{len(examples)} training examples, 5-fold out-of-fold; fitted softmax scale {scale:.2f}")
    rows = []
    for (language, text, intent), row in zip(examples, probabilities):
        order = np.argsort(-row)
        rows.append((language, text, intent, [{"name": classes[i], "confidence": float(row[i])} for i in order]))
    best = None
    print(f"{'intent':>6} {'topic':>6} {'urgent':>6}  " + "  ".join(
        f"{lang:>6} cov/acc/urg/fa" for lang in LANGUAGES))
    for intent_t, topic_t, urgent_t in itertools.product((0.3, 0.4, 0.5, 0.6), (0.4, 0.5, 0.6, 0.7),
                                                         (0.15, 0.2, 0.25, 0.3, 0.4)):
        thresholds = {"intent_threshold": intent_t, "topic_threshold": topic_t, "urgent_threshold": urgent_t}
        result = score(rows, thresholds)
        print(f"{intent_t:>6} {topic_t:>6} {urgent_t:>6}  " + "  ".join(
            f"{r['coverage']:.2f}/{r['accuracy']:.3f}/{r['urgent_recall']:.3f}/{r['false_alarm']:.3f}"
            for r in (result[lang] for lang in LANGUAGES)))
        if all(r["urgent_recall"] >= URGENT_RECALL_MIN for r in result.values()):
            utility = min(r["utility"] for r in result.values())
            if best is None or utility > best[0]:
                best = (utility, thresholds)
    print(f"\nchosen (max of the worst language's correct − {WRONG_COST:g}×wrong, urgent recall ≥ "
          f"{URGENT_RECALL_MIN:.0%}): {best[1] if best else 'none meets the recall floor'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
