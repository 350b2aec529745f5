"""Speed-ups for the Rasa server that keep its behaviour, applied when the server loads our
REST channel (``bot.channels`` imports this module).

Rasa 3.6 validates every action-server response with ``jsonschema.validate``, which checks
the schema itself against its meta-schema and builds a new validator on every call. Profiled
under 20 concurrent conversations (py-spy, `make bench`), that was more than half of the Rasa
server's CPU time. The same validation with one validator built once gives the same result
(the same ``ValidationError`` is raised for a bad response) at a fraction of the cost.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event


@functools.lru_cache(maxsize=1)
def _action_response_validator():
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of once per response
    return validator_class(schema)


_original_validate = RemoteAction._validate_action_result


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match

    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        return _original_validate(self, result)  # raises with Rasa's own message
    return True


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
