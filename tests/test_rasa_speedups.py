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


def test_skops_imported_quickly_keeps_every_module_and_loads_the_model():
    """Reordering sys.modules keeps every module (same objects), and skops then loads the
    intent classifier as before."""
    import subprocess
    import sys

    from bot.stack import model_path

    script = (
        "import sys, rasa.core.agent\n"
        "before = dict(sys.modules)\n"
        "from bot import rasa_speedups\n"
        "rasa_speedups.import_skops_quickly()\n"
        "assert all(sys.modules.get(name) is module for name, module in before.items() if module is not None)\n"
        "import skops.io\n"
        "from rasa.core.agent import Agent\n"
        f"agent = Agent.load({str(model_path())!r})\n"
        "import asyncio\n"
        "parsed = asyncio.run(agent.parse_message('hur mycket kostar sfi'))\n"
        "print(parsed['intent']['name'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].startswith("sfi_")
