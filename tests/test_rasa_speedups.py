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


def _valid_by_rasas_schema(result) -> bool:
    from jsonschema import validate

    try:
        validate(result, RemoteAction.action_response_format_spec())
        return True
    except ValidationError:
        return False


def _sample_events():
    """One serialised event of every type Rasa has, as an action server could send them."""
    from rasa.shared.core import events as e

    return [event.as_dict() for event in (
        e.UserUttered("hej", {"name": "greet", "confidence": 0.9}, [{"entity": "municipality", "value": "1383"}]),
        e.BotUttered("Hej!", {"buttons": [{"title": "SFI", "payload": "/sfi"}]}),
        e.SlotSet("language", "ar"), e.SlotSet("municipality", None), e.AllSlotsReset(), e.Restarted(),
        e.ActionExecuted("action_answer_topic", policy="RulePolicy", confidence=1.0), e.ConversationPaused(),
        e.ConversationResumed(), e.FollowupAction("action_listen"), e.SessionStarted(), e.ActionReverted(),
        e.UserUtteranceReverted(), e.StoryExported(), e.ActiveLoop("form"), e.ActiveLoop(None), e.LoopInterrupted(True),
        e.ActionExecutionRejected("action_x"), e.AgentUttered("hi"), e.EntitiesAdded([{"entity": "a", "value": "b"}]),
        e.ReminderCancelled(name="r"), e.DefinePrevUserUtteredFeaturization(False),
    )]


def test_validation_by_event_type_agrees_with_rasas_schema_on_every_event_type():
    events = _sample_events()
    broken = [
        {"event": "slot", "name": 5, "value": "x"},  # wrong type in a type's own field
        {"event": "slot", "value": "x"},  # a type's required field missing
        {"event": "no_such_event"},
        {"name": "language"},  # no type at all
        {"event": "bot", "timestamp": "yesterday"},  # a common field of the wrong type
        {"event": "user", "text": "hej", "parse_data": {"entities": [{"value": "x"}]}},
        "slot",
        None,
    ]
    cases = [{"events": events}, {"events": [], "responses": []}, {}, {"events": "x"}, {"responses": [1]},
             {"events": events, "responses": [{"text": "hej"}]}, [], "text", None]
    cases += [{"events": [event]} for event in events + broken]
    assert rasa_speedups._event_validators() is not None  # the fast path is the one tested
    for case in cases:
        assert rasa_speedups._is_valid_by_event_type(case) == _valid_by_rasas_schema(case), case
    assert sum(_valid_by_rasas_schema({"events": [event]}) for event in events) == len(events)
    assert not any(_valid_by_rasas_schema({"events": [event]}) for event in broken)


def test_graph_run_in_order_parses_and_predicts_as_dask_does():
    """The model's own graphs, run by dask and in order, give the same parse and prediction."""
    import asyncio

    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import UserUttered

    from bot.stack import model_path

    rasa_speedups.apply()
    agent = Agent.load(str(model_path()))
    messages = ["hur mycket kostar sfi", "كيف اسجل ابني في المدرسة في فاربيري", "کرایه خانه در نکه چند است",
                "", "🙂", "x" * 300]

    async def run_all():
        results = []
        for text in messages:
            parsed = await agent.parse_message(text)
            tracker = await agent.tracker_store.get_or_create_tracker(f"order-{len(results)}")
            tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed))
            prediction = agent.processor._predict_next_with_tracker(tracker)
            results.append((parsed, prediction.max_confidence_index, prediction.max_confidence, prediction.policy_name))
        return results

    in_order = asyncio.run(run_all())
    DaskGraphRunner.run = rasa_speedups.original_graph_run
    try:
        by_dask = asyncio.run(run_all())
    finally:
        DaskGraphRunner.run = rasa_speedups.run_graph_in_order
    assert in_order == by_dask
    assert in_order[0][0]["intent"]["name"].startswith("sfi_")


# --- dialogue states continued from the previous call ---------------------------------------

def _domain():
    from rasa.shared.core.domain import Domain

    from bot.stack import ROOT

    return Domain.load(str(ROOT / "domain.yml"))


def _event_strategy(domain):
    from hypothesis import strategies as st
    from rasa.shared.core import events as e

    intents = st.sampled_from(domain.intents[:12])
    actions = st.sampled_from(["action_listen", "action_answer_topic", "action_clarify", "action_request_human",
                               "action_switch_language"])
    slots = st.sampled_from([slot.name for slot in domain.slots])
    return st.one_of(
        st.builds(lambda i, t: e.UserUttered(t, {"name": i, "confidence": 0.9}, []), intents,
                  st.sampled_from(["hej", "sfi", "بالعربي", ""])),
        st.builds(lambda a, hide: e.ActionExecuted(a, hide_rule_turn=hide), actions, st.booleans()),
        st.builds(lambda n, v: e.SlotSet(n, v), slots, st.sampled_from(["ar", "sv", "1383", None])),
        st.sampled_from([e.UserUtteranceReverted(), e.ActionReverted(), e.Restarted(), e.SessionStarted(),
                         e.ConversationPaused(), e.ConversationResumed()]),
        st.builds(lambda a: e.FollowupAction(a), actions),
    )


def test_continued_dialogue_states_equal_rasas_after_every_event():
    """The same tracker grows event by event, as in a conversation; after each event every
    flag combination gives exactly Rasa's states, even when callers edit what they got."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_speedups.apply()
    domain = _domain()
    original = rasa_speedups._original_states_for_tracker_history
    rule_only = {"slots": ["pending_topic"], "active_loops": []}
    flags = [(False, False, None), (True, False, None), (False, True, rule_only), (True, True, rule_only)]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_event_strategy(domain), min_size=1, max_size=25), st.integers(0, 10 ** 6))
    def check(events, number):
        tracker = DialogueStateTracker(f"states-{number}", domain.slots)
        for event in events:
            tracker.update(event)
            for omit, ignore, rule_only_data in flags:
                continued = domain.states_for_tracker_history(tracker, omit, ignore, rule_only_data)
                assert continued == original(domain, tracker, omit, ignore, rule_only_data)
                for state in continued:  # what Rasa's featurizers do to the states they get
                    state.get("user", {}).pop("text", None)
                    state.get("user", {}).pop("intent", None)

    check()


def test_dialogue_states_start_again_for_events_read_anew():
    """A tracker rebuilt from new event objects (read again from the database) is not
    continued from the old one's states, even with the same sender and content."""
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_speedups.apply()
    domain = _domain()

    def rebuilt(intent):
        return DialogueStateTracker.from_events("anew", [
            ActionExecuted("action_listen"), UserUttered("hej", {"name": intent}), ActionExecuted("action_small_talk"),
            SlotSet("language", "sv"), ActionExecuted("action_listen")], domain.slots)

    first = domain.states_for_tracker_history(rebuilt("greet"))
    second = domain.states_for_tracker_history(rebuilt("thank"))
    assert first != second
    assert second == rasa_speedups._original_states_for_tracker_history(domain, rebuilt("thank"))


def test_dialogue_states_continue_when_rulepolicy_passes_equal_rule_only_data_each_time():
    """RulePolicy passes a new rule_only_data dict per call; the conversation still continues
    from its cached states instead of starting a new entry (the speed-up would be lost)."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_speedups.apply()
    domain = _domain()
    tracker = DialogueStateTracker.from_events("continues", [ActionExecuted("action_listen"),
                                                             UserUttered("hej", {"name": "greet"})], domain.slots)
    domain.states_for_tracker_history(tracker, False, True, {"slots": ["a"], "active_loops": []})
    entries = [k for k in rasa_speedups._states_cache if k[1] == "continues"]
    tracker.update(ActionExecuted("action_small_talk"))
    domain.states_for_tracker_history(tracker, False, True, {"slots": ["a"], "active_loops": []})
    assert [k for k in rasa_speedups._states_cache if k[1] == "continues"] == entries
    assert len(rasa_speedups._states_cache[entries[0]].applied) == 3
