"""Custom parts of the Rasa NLU pipeline (named in ``config.yml``).

* ``NormalizingWhitespaceTokenizer`` feeds the featurizers text in one spelling: Arabic and
  Persian yeh/kaf, digits, harakat, tatweel, ZWNJ and control characters folded
  (``bot.language.normalize_for_nlu``). Users on an Arabic keyboard who write Dari, or who
  add vowel marks, then look the same to the model as everyone else.
* ``TfidfLinearIntentClassifier`` classifies intents (see its docstring for why).
* ``MunicipalityEntityExtractor`` finds municipalities and postal codes with the gazetteer in
  ``bot.municipalities`` and emits a ``municipality`` entity whose value is the SCB code. A
  gazetteer instead of a trained extractor: every one of the 290 municipalities and 15,000
  postal codes works, with no training examples for each.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.preprocessing import normalize

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.decision import DEFAULT_THRESHOLDS, FALLBACK_INTENT, decide, fit_temperature, softmax
from bot.language import normalize_for_nlu
from bot.municipalities import directory
from bot.redaction import without_labels


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NormalizingWhitespaceTokenizer(WhitespaceTokenizer):
    """Whitespace tokens of the normalised text (see module docstring)."""

    @staticmethod
    def not_supported_languages() -> Optional[List[Text]]:
        return None

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        if attribute != TEXT or not isinstance(text, str):
            return super().tokenize(message, attribute)
        return super().tokenize(Message(data={attribute: normalize_for_nlu(without_labels(text))}), attribute)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MunicipalityEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a ``municipality`` entity (SCB code) for each municipality or postal code found."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MunicipalityEntityExtractor":
        directory().sounds_like("")  # load the data once, at model load, not on the first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                {"entity": "municipality", "value": match.code, "start": match.start, "end": match.end,
                 "confidence_entity": 1.0}
                for match in directory().find(text)
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _words(text: object) -> List[str]:
    """The normalised words of a text, as the vocabulary check of the decision layer counts them."""
    return re.findall(r"[^\W\d_]+", normalize_for_nlu(without_labels(text))) if isinstance(text, str) else []


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLinearIntentClassifier(IntentClassifier, GraphComponent):
    """A linear SVM on TF-IDF-weighted n-gram counts.

    Rasa's own ``LogisticRegressionClassifier`` works on raw counts with a fixed
    regularisation. On this data (three languages, short misspelt messages) TF-IDF weighting
    with sublinear term frequency plus a linear SVM generalises better to the held-out split
    (`make eval`), at the same cost per message (a sparse dot product, well under 1 ms).

    Confidences are a softmax over the SVM's margins with a temperature fitted at train time on
    ``calibration_folds``-fold cross-validated margins of the training data (``bot.decision``),
    stored with the model; ``confidence_scale`` is used only when there is too little data to
    cross-validate. The decision layer (``bot.decision.decide``, thresholds from this
    component's config) then chooses to answer, to answer and offer the topic's other
    questions, to ask (``nlu_fallback``) or to hand over; it replaces Rasa's
    ``FallbackClassifier``, which looks only at the top intent. The decision goes into the
    parse data as ``decision``, where the actions read it.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 0.5, "confidence_scale": 4.0, "ranking_length": 10, "calibration_folds": 5,
                **DEFAULT_THRESHOLDS}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        self.config = {**self.get_default_config(), **config}
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        self.svm = LinearSVC(C=self.config["C"], class_weight="balanced", random_state=42)
        self._model_storage = model_storage
        self._resource = resource
        self._idf = None  # the IDF weights as an array, read from self.tfidf on first use
        self.scale = float(self.config["confidence_scale"])  # replaced by the fitted temperature
        self.vocabulary: Optional[frozenset] = None  # normalised words of the training data
        self.thresholds = {key: float(self.config[key]) for key in DEFAULT_THRESHOLDS}

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "TfidfLinearIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: List[Message]):
        """The sparse sentence features of every featurizer, side by side, one row per message.

        The same matrix as ``Message.get_sparse_features(TEXT)[1]``, built without the deep
        copy of the sequence and sentence matrices that method makes: that copy was the
        largest single cost of parsing a message under load (``make bench --cprofile``)."""
        rows = []
        for message in messages:
            parts = [f.features for f in message.features
                     if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()]
            rows.append(hstack(parts, format="csr") if parts else None)
        width = next((r.shape[1] for r in rows if r is not None), 0)
        return vstack([r if r is not None else csr_matrix((1, width)) for r in rows]).tocsr()

    def _weighted(self, counts):
        """``self.tfidf.transform(counts)`` with the IDF weights read once: scikit-learn's
        ``idf_`` property sums the whole diagonal IDF matrix on every call."""
        if self._idf is None:
            self._idf = np.asarray(self.tfidf.idf_, dtype=np.float64)
        weighted = counts.astype(np.float64, copy=True)
        np.log(weighted.data, weighted.data)  # sublinear_tf: 1 + log(tf)
        weighted.data += 1.0
        weighted = csr_matrix(weighted.multiply(self._idf))
        return normalize(weighted, norm="l2", copy=False)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if examples:
            self._idf = None  # refitted below
            features = self.tfidf.fit_transform(self._features(examples))
            labels = [e.get(INTENT) for e in examples]
            self.svm.fit(features, labels)
            self.scale = self._fitted_scale(features, np.asarray(labels))
            self.vocabulary = frozenset(w for e in examples for w in _words(e.get(TEXT)))
            self.persist()
        return self._resource

    def _fitted_scale(self, features, labels: np.ndarray) -> float:
        """The softmax temperature fitted on out-of-fold margins (``bot.decision.fit_temperature``).

        Each fold's SVM never saw the examples it scores, so the margins are those of unseen
        text: a scale fitted on the training margins themselves would be far too confident."""
        from sklearn.base import clone
        from sklearn.model_selection import StratifiedKFold

        folds = int(self.config["calibration_folds"])
        smallest = min(np.unique(labels, return_counts=True)[1])
        if folds < 2 or smallest < folds:
            return float(self.config["confidence_scale"])
        classes = list(self.svm.classes_)
        margins = np.zeros((len(labels), len(classes)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
        for train_rows, held_rows in splitter.split(features, labels):
            fold_svm = clone(self.svm).fit(features[train_rows], labels[train_rows])
            columns = [classes.index(c) for c in fold_svm.classes_]
            margins[np.ix_(held_rows, columns)] = fold_svm.decision_function(features[held_rows])
        return fit_temperature(margins, np.array([classes.index(label) for label in labels]))

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """Calibrated probabilities, one row per message, columns in ``self.svm.classes_`` order."""
        return softmax(self.svm.decision_function(self._weighted(self._features(messages))), self.scale)

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages or not hasattr(self.svm, "classes_"):
            return messages
        for message, row in zip(messages, self.probabilities(messages)):
            order = np.argsort(-row)
            full = [{"name": str(self.svm.classes_[i]), "confidence": float(row[i])} for i in order]
            text = message.get(TEXT) or ""
            known = sum(w in self.vocabulary for w in _words(text)) if self.vocabulary is not None else None
            decision = decide(full, text, self.thresholds, known_words=known)
            ranking = full[: max(1, self.config["ranking_length"])]
            if decision.intent == FALLBACK_INTENT:
                # As Rasa's FallbackClassifier does: nlu_fallback on top, the model's ranking after it.
                intent = {"name": FALLBACK_INTENT, "confidence": decision.confidence}
                ranking = [intent] + ranking
            else:  # the decision's confidence: renormalised when a courtesy or a language name was set aside
                intent = {"name": decision.intent, "confidence": decision.confidence}
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            message.set("decision", decision.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory_path:
            sio.dump({"tfidf": self.tfidf, "svm": self.svm, "scale": np.array([self.scale]),
                      "vocabulary": np.array(sorted(self.vocabulary or ()), dtype=str)},
                     directory_path / "intent_classifier.skops")

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "TfidfLinearIntentClassifier":
        import skops.io as sio

        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory_path:
                path = directory_path / "intent_classifier.skops"
                untrusted = sio.get_untrusted_types(file=path)
                # Only scikit-learn, NumPy and SciPy objects may be loaded from a model file.
                unexpected = [t for t in untrusted if not t.startswith(("sklearn.", "numpy.", "scipy."))]
                if unexpected:
                    raise ValueError(f"unexpected types in {path}: {unexpected}")
                parts = sio.load(path, trusted=untrusted)
        except ValueError:
            return component  # untrained (e.g. no NLU data): predicts nothing
        component.tfidf, component.svm = parts["tfidf"], parts["svm"]
        if "scale" in parts:  # models trained before calibration keep the configured scale
            component.scale = float(np.asarray(parts["scale"]).ravel()[0])
        if "vocabulary" in parts:
            component.vocabulary = frozenset(str(w) for w in parts["vocabulary"])
        return component
