"""Start the action server (rasa_sdk) with a check of every action call before it runs.

    python -m bot.action_server --actions actions --port 5055 --quiet

Takes rasa_sdk's own arguments. rasa_sdk reads the body of ``POST /webhook`` and indexes into
it without checking its shape, so a body that is not JSON, not deflate, or JSON of another shape
ends in a 500 with a stack trace in the log. Rasa only ever sends one shape; anything else is the
caller's mistake and gets 400 with a one-line reason, and no action runs. The action server
listens on 127.0.0.1 only (bot.stack sets SANIC_HOST), so such calls come from this machine.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any, Optional

# Fields of a tracker as Rasa sends it, with the types each may have (None: may be null).
TRACKER_FIELDS = {
    "sender_id": (str,),
    "slots": (dict,),
    "latest_message": (dict, type(None)),
    "events": (list,),
    "paused": (bool,),
    "followup_action": (str, type(None)),
    "active_loop": (dict, type(None)),
    "latest_action_name": (str, type(None)),
    "latest_event_time": (int, float, type(None)),
    "latest_input_channel": (str, type(None)),
}
MAX_DEPTH = 64


class BadActionCall(ValueError):
    """The body is not an action call; the message says why."""


def _refuse_constant(name: str):
    raise BadActionCall(f"{name} is not JSON")


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return all(_depth_ok(item, depth + 1) for item in value)
    return not (isinstance(value, float) and not math.isfinite(value))


def parse_action_call(body: bytes, content_encoding: Optional[str]) -> dict:
    """The action call in ``body``, or ``BadActionCall``."""
    if (content_encoding or "").lower() == "deflate":
        try:
            body = zlib.decompressobj().decompress(body, 16 * 1024 * 1024)
        except zlib.error:
            raise BadActionCall("the body is not deflate data") from None
    try:
        call = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadActionCall("the body is nested too deeply") from None
    except BadActionCall:
        raise
    except ValueError:
        raise BadActionCall("the body is not JSON") from None
    if not isinstance(call, dict):
        raise BadActionCall("the body must be a JSON object")
    if not _depth_ok(call):
        raise BadActionCall("the body is nested too deeply or holds a number JSON cannot")
    if not isinstance(call.get("next_action"), str) or not call["next_action"]:
        raise BadActionCall("next_action must be an action name")
    if not isinstance(call.get("version", ""), (str, type(None))):
        raise BadActionCall("version must be a string")
    if not isinstance(call.get("domain", {}), dict):
        raise BadActionCall("domain must be an object")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict):
        raise BadActionCall("tracker must be an object")
    for name, types in TRACKER_FIELDS.items():
        if name in tracker and not isinstance(tracker[name], types):
            raise BadActionCall(f"tracker.{name} has the wrong type")
    if not isinstance(tracker.get("sender_id"), str):
        raise BadActionCall("tracker.sender_id is missing")
    for event in tracker.get("events") or []:
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            raise BadActionCall("every tracker event must be an object with an 'event' name")
    for key in ("latest_message",):
        message = tracker.get(key) or {}
        for field, types in (("intent", (dict, type(None))), ("entities", (list, type(None))),
                             ("text", (str, type(None)))):
            if field in message and not isinstance(message[field], types):
                raise BadActionCall(f"tracker.{key}.{field} has the wrong type")
    return call


def install() -> None:
    """Put the check in front of rasa_sdk's webhook; call before rasa_sdk creates its app."""
    import rasa_sdk.endpoint
    from sanic import response

    original_create_app = rasa_sdk.endpoint.create_app

    def create_app(*args, **kwargs):
        app = original_create_app(*args, **kwargs)

        @app.middleware("request")
        async def check_action_call(request):
            if request.path.rstrip("/") != "/webhook" or request.method != "POST":
                return None
            try:
                parse_action_call(request.body or b"", request.headers.get("Content-Encoding"))
            except BadActionCall as problem:
                return response.json({"error": str(problem)}, status=400)
            return None

        return app

    rasa_sdk.endpoint.create_app = create_app


def main() -> None:
    install()
    import rasa_sdk.__main__

    rasa_sdk.__main__.main()


if __name__ == "__main__":
    main()
