"""Speed-ups for the Rasa server that keep its behaviour, applied when the server loads our
REST channel (``bot.channels`` imports this module).

Rasa 3.6 validates every action-server response with ``jsonschema.validate``, which checks
the schema itself against its meta-schema and builds a new validator on every call. Profiled
under 20 concurrent conversations (py-spy, `make bench`), that was more than half of the Rasa
server's CPU time. The same validation with one validator built once gives the same result
(the same ``ValidationError`` is raised for a bad response) at a fraction of the cost.

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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    try:
        import_skops_quickly()
    except ImportError:  # skops missing: the model load reports it properly
        pass
