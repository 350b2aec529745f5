"""Speed-ups for the Rasa server that keep its behaviour, applied when the server loads our
REST channel (``bot.channels`` imports this module).

Rasa 3.6 validates every action-server response with ``jsonschema.validate``, which checks
the schema itself against its meta-schema and builds a new validator on every call. Profiled
under 20 concurrent conversations (py-spy, `make bench`), that was more than half of the Rasa
server's CPU time. The same validation with one validator built once gives the same result
(the same ``ValidationError`` is raised for a bad response) at a fraction of the cost.

Further down, measured with ``python -m bot.bench --cprofile`` (docs/performance.md): the
validation above still tried each response event against all 23 event schemas (a ``oneOf``);
each event is now checked against the base schema and the one schema of its own type, which
accepts and rejects exactly the same events, since every one of the 23 fixes ``event`` to its
own constant. The graph of the model's components ran through dask's scheduler on every
message (twice: parse, then predict); ``run_graph_in_order`` runs the same nodes in an order
that respects their dependencies, without the scheduler.

The dialogue policy (``RulePolicy``) asks for the dialogue states of the whole session at
least twice per message (before the answer and after it), and Rasa computes them by replaying
every event of the session into a fresh tracker each time: about a tenth of the Rasa server's
time under load, growing with the conversation. ``states_for_tracker_history`` keeps, per
conversation, the states computed so far and the replayed tracker; when the session's events
begin with exactly the events (the same objects) it has seen, only the new ones are replayed.
Anything else — another conversation, events read again from the database, a rewind or a
restart that changes the applied events — computes everything as Rasa does.

Event types are resolved from a cache instead of walking every ``Event`` subclass per event.

Start-up: loading the model imports ``skops.io`` (the intent classifier's file format), whose
import looks up the module of every NumPy and SciPy ufunc by trying each entry of
``sys.modules`` in turn (``skops.io._utils.whichmodule``, after pickle's). Inside the Rasa
server, with TensorFlow and its lazy-loading modules already imported (some 6,000 modules),
that took 30–60 s of a 45–75 s start on the loaded bench machine. ``import_skops_quickly``
moves NumPy's and ``scipy.special``'s modules to the front of ``sys.modules`` (same modules,
another order) before importing it, so each lookup succeeds at once: a few seconds. The
names it finds can differ (``numpy.absolute`` or ``numpy.core.umath.absolute``); the
classifier trusts any NumPy/SciPy/scikit-learn type by prefix (``bot/nlu_components.py``).
"""

from __future__ import annotations

import collections
import functools
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event


@functools.lru_cache(maxsize=1)
def _action_response_validator():
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of once per response
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _event_validators() -> Optional[Tuple[Any, Dict[str, Any], Any]]:
    """(validator of the response without its events, validator per event type, validator of
    an event's common fields), or None if the schema is not shaped as expected."""
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    events = schema["properties"].get("events", {})
    event = events.get("items", {})
    variants = event.get("oneOf") or []
    if events.get("type") != "array" or not variants:
        return None
    by_type = {}
    for variant in variants:
        const = variant.get("properties", {}).get("event", {}).get("const")
        if const is None or const in by_type:  # a variant not tied to one type: oneOf is needed
            return None
        by_type[const] = validator_for(variant)(variant)
    common = {key: value for key, value in event.items() if key != "oneOf"}
    rest = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k != "events"}}
    return validator_for(rest)(rest), by_type, validator_for(common)(common)


def _is_valid_by_event_type(result: Any) -> Optional[bool]:
    validators = _event_validators()
    if validators is None:
        return None
    rest, by_type, common = validators
    if not rest.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    if events is None:
        return True
    if not isinstance(events, list):
        return False
    for event in events:
        if not common.is_valid(event):
            return False
        own = by_type.get(event.get("event"))
        if own is None or not own.is_valid(event):
            return False
    return True


_original_validate = RemoteAction._validate_action_result


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match

    valid = _is_valid_by_event_type(result)
    if valid is None:  # another Rasa's schema: the whole schema, validator built once
        valid = best_match(_action_response_validator().iter_errors(result)) is None
    if not valid:
        return _original_validate(self, result)  # raises with Rasa's own message
    return True


original_graph_run = None  # DaskGraphRunner.run before apply()


def run_graph_in_order(self, inputs: Optional[Dict[str, Any]] = None,
                       targets: Optional[List[str]] = None) -> Dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: each needed node once, after the nodes it needs.

    Node inputs and outputs are what dask passes: a node gets ``(name, value)`` pairs of the
    nodes and inputs it needs and returns its own pair."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = list(targets) if targets else self._graph_schema.target_names
    values: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of the "
                                f"input names passed to the `run` method are the same as node names in the "
                                f"graph schema.")
        values[name] = (name, value)
    nodes = self._graph_schema.nodes
    try:
        for name in _execution_order(self, tuple(run_targets)):
            # A need that is neither a node nor an input reaches the node as the bare name, as in dask.
            arguments = [values.get(need, need) for need in nodes[name].needs.values()]
            values[name] = self._instantiated_nodes[name](*arguments)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)


def _execution_order(runner, targets: Tuple[str, ...]) -> List[str]:
    """The nodes the targets need, each after its own needs (cached per runner and targets)."""
    cache = runner.__dict__.setdefault("_newcomer_orders", {})
    if targets not in cache:
        nodes, order, seen = runner._graph_schema.nodes, [], set()

        def visit(name: str) -> None:
            if name in seen or name not in nodes:
                return
            seen.add(name)
            for need in nodes[name].needs.values():
                visit(need)
            order.append(name)

        for target in targets:
            visit(target)
        cache[targets] = order
    return cache[targets]


_original_resolve_by_type = Event.resolve_by_type


@functools.lru_cache(maxsize=None)
def _event_class(type_name: str):
    return _original_resolve_by_type(type_name, default=_NOT_FOUND)


class _NOT_FOUND:  # noqa: N801  a marker class: "no event has this type name"
    pass


def _resolve_by_type(type_name, default=None):
    found = _event_class(type_name)
    if found is _NOT_FOUND:
        return _original_resolve_by_type(type_name, default)  # same None / default / ValueError
    return found


def import_skops_quickly() -> None:
    """Import ``skops.io`` with NumPy's and SciPy's ufunc modules first in ``sys.modules``."""
    import sys

    if "skops.io" in sys.modules:
        return
    import numpy  # noqa: F401  (the modules to put first must be loaded)
    import scipy.special  # noqa: F401

    first = {name for name in sys.modules
             if name == "numpy" or name.startswith(("numpy.core", "scipy.special"))}
    for name in [name for name in list(sys.modules) if name not in first]:
        module = sys.modules.pop(name, None)
        if module is not None:
            sys.modules[name] = module  # re-inserted: now after the ufunc modules
    import skops.io  # noqa: F401


# --- dialogue states, continued instead of recomputed ------------------------------------

STATES_CACHE_SIZE = 1000  # conversations; each entry holds its states and one tracker copy


@dataclass
class _StatesSoFar:
    """The loop of ``Domain.states_for_tracker_history`` paused before its final state."""

    domain: Any  # held, so that its id in the cache key cannot be reused by another domain
    applied: List[Any]  # the applied events replayed so far (the objects themselves)
    tracker: Any  # a tracker with exactly those events applied
    states: List[Dict[str, Any]]
    last_ml_action_sub_state: Any = None
    turn_was_hidden: bool = False


_states_cache: "collections.OrderedDict[tuple, _StatesSoFar]" = collections.OrderedDict()
_original_states_for_tracker_history = None


def _copy_states(states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """States are dicts of sub-state dicts of immutable values, and Rasa's featurizers edit the
    returned ones (the last user input): callers and the cache never share a dict. A sub-state
    that Rasa shares between two states (the user input carried over a bot turn) stays shared
    in the copy."""
    copies: Dict[int, Any] = {}

    def copied(sub):
        if not isinstance(sub, dict):
            return sub
        if id(sub) not in copies:
            copies[id(sub)] = dict(sub)
        return copies[id(sub)]

    return [{kind: copied(sub) for kind, sub in state.items()} for state in states]


def _state_step(domain, so_far: _StatesSoFar, tracker, hide_rule_turn: bool, omit_unset_slots: bool,
                ignore_rule_only_turns: bool, rule_only_data) -> None:
    """One pass of the loop body of Rasa 3.6's ``Domain.states_for_tracker_history``."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    if ignore_rule_only_turns:
        if not so_far.turn_was_hidden:
            so_far.last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
            so_far.turn_was_hidden = hide_rule_turn
        if so_far.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if so_far.states:
            domain._substitute_rule_only_user_input(state, so_far.states[-1])
        if so_far.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = so_far.last_ml_action_sub_state
    so_far.states.append(domain._clean_state(state))


def states_for_tracker_history(self, tracker, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                               rule_only_data=None):
    """``Domain.states_for_tracker_history``, continued from the states of this conversation's
    previous call when its applied events extend the ones seen then (see module docstring)."""
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    if type(tracker) is not DialogueStateTracker or tracker.is_rule_tracker:  # training: Rasa's own
        return _original_states_for_tracker_history(self, tracker, omit_unset_slots, ignore_rule_only_turns,
                                                    rule_only_data)
    # RulePolicy builds rule_only_data afresh for every call: its content is the key. It is
    # read only when rule-only turns are ignored.
    try:
        rule_only_key = (tuple(sorted((name, tuple(values)) for name, values in rule_only_data.items()))
                         if ignore_rule_only_turns and rule_only_data else None)
        key = (id(self), tracker.sender_id, omit_unset_slots, ignore_rule_only_turns, rule_only_key)
        hash(key)
    except (AttributeError, TypeError):  # rule_only_data of another shape: no cache
        return _original_states_for_tracker_history(self, tracker, omit_unset_slots, ignore_rule_only_turns,
                                                    rule_only_data)
    applied = tracker.applied_events()
    so_far = _states_cache.pop(key, None)  # back in the cache only once it is consistent again
    continues = (so_far is not None and so_far.domain is self and len(applied) >= len(so_far.applied)
                 and all(new is old for new, old in zip(applied, so_far.applied)))
    if not continues:
        so_far = _StatesSoFar(self, [], tracker.init_copy(), [])
    for event in applied[len(so_far.applied):]:
        if isinstance(event, ActionExecuted):
            _state_step(self, so_far, so_far.tracker, event.hide_rule_turn, omit_unset_slots,
                        ignore_rule_only_turns, rule_only_data)
        so_far.tracker.update(event)
        so_far.applied.append(event)
    _states_cache[key] = so_far
    _states_cache.move_to_end(key)
    while len(_states_cache) > STATES_CACHE_SIZE:
        _states_cache.popitem(last=False)
    # The final state (the tracker after every event) is computed on a copy of the loop's
    # variables, so the cached loop can go on from before it next time.
    final = _StatesSoFar(self, so_far.applied, so_far.tracker, _copy_states(so_far.states),
                         so_far.last_ml_action_sub_state, so_far.turn_was_hidden)
    _state_step(self, final, so_far.tracker, False, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    return final.states


def apply() -> None:
    from rasa.engine.runner.dask import DaskGraphRunner

    RemoteAction._validate_action_result = _validate_action_result
    from rasa.shared.core.domain import Domain

    global _original_states_for_tracker_history
    if Domain.states_for_tracker_history is not states_for_tracker_history:
        _original_states_for_tracker_history = Domain.states_for_tracker_history
        Domain.states_for_tracker_history = states_for_tracker_history
    if DaskGraphRunner.run is not run_graph_in_order:
        global original_graph_run
        original_graph_run = DaskGraphRunner.run  # kept for tests/test_rasa_speedups.py
        DaskGraphRunner.run = run_graph_in_order
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    try:
        import_skops_quickly()
    except ImportError:  # skops missing: the model load reports it properly
        pass
