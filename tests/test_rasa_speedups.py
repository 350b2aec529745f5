"""The cached action-response validation accepts and rejects exactly what Rasa's does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "language", "value": "ar"}], "responses": [{"text": "hej"}]}
BAD = {"events": "not a list", "responses": [{"text": "hej"}]}


@pytest.fixture
def action():
    rasa_speedups.apply()
    return RemoteAction("action_answer_topic", None)


def test_valid_response_passes(action):
    assert action._validate_action_result(GOOD) is True


def test_invalid_response_raises_rasas_error(action):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(BAD)


def test_event_type_resolution_is_unchanged():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    rasa_speedups.apply()
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("nonsense")
