"""The intent classifier's fast feature path gives exactly what Rasa's and scikit-learn's
own (slower) calls give."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix, random as sparse_random
from sklearn.feature_extraction.text import TfidfTransformer

from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu_components import TfidfLinearIntentClassifier


def _counts(rows, columns, seed):
    matrix = sparse_random(rows, columns, density=0.05, random_state=seed, format="csr")
    matrix.data = np.ceil(matrix.data * 4)  # counts 1–4, as a count vectorizer gives
    return matrix


def _message(seed: int) -> Message:
    message = Message(data={TEXT: f"message {seed}"})
    for origin, width in (("words", 30), ("chars", 50)):
        message.add_features(Features(_counts(3, width, seed), FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(_counts(1, width, seed + 100), FEATURE_TYPE_SENTENCE, TEXT, origin))
    return message


@pytest.fixture
def classifier():
    component = TfidfLinearIntentClassifier({}, model_storage=None, resource=None)
    component.tfidf = TfidfTransformer(sublinear_tf=True).fit(_counts(40, 80, 1))
    return component


def test_features_equal_rasas_combined_sentence_features():
    messages = [_message(seed) for seed in range(5)]
    expected = np.vstack([m.get_sparse_features(TEXT)[1].features.toarray() for m in messages])
    assert np.array_equal(TfidfLinearIntentClassifier._features(messages).toarray(), expected)


def test_a_message_without_features_is_a_row_of_zeros():
    messages = [_message(1), Message(data={TEXT: "no features"})]
    features = TfidfLinearIntentClassifier._features(messages)
    assert features.shape == (2, 80) and features[1].nnz == 0


def test_weighting_equals_the_fitted_tfidf_transform(classifier):
    counts = csr_matrix(_counts(6, 80, 7))
    assert np.allclose(classifier._weighted(counts).toarray(), classifier.tfidf.transform(counts).toarray(),
                       rtol=1e-12, atol=1e-15)
    assert counts.max() > 1  # the input is untouched (the weighting works on a copy)
    assert np.array_equal(counts.toarray(), _counts(6, 80, 7).toarray())
