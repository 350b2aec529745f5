"""Custom parts of the Rasa NLU pipeline (named in ``config.yml``).

* ``NormalizingWhitespaceTokenizer`` feeds the featurizers text in one spelling: Arabic and
  Persian yeh/kaf, digits, harakat, tatweel, ZWNJ and control characters folded
  (``bot.language.normalize_for_nlu``). Users on an Arabic keyboard who write Dari, or who
  add vowel marks, then look the same to the model as everyone else.
* ``MunicipalityEntityExtractor`` finds municipalities and postal codes with the gazetteer in
  ``bot.municipalities`` and emits a ``municipality`` entity whose value is the SCB code. A
  gazetteer instead of a trained extractor: every one of the 290 municipalities and 15,000
  postal codes works, with no training examples for each.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import normalize_for_nlu
from bot.municipalities import directory


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
        return super().tokenize(Message(data={attribute: normalize_for_nlu(text)}), attribute)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MunicipalityEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a ``municipality`` entity (SCB code) for each municipality or postal code found."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MunicipalityEntityExtractor":
        directory()  # load the data once, at model load, not on the first message
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
