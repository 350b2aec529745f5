"""The Telegram webhook: check the secret, store the update, answer 200 at once.

Telegram posts every update to ``/telegram/webhook`` with the header
``X-Telegram-Bot-Api-Secret-Token`` set to the secret the worker gave it in ``setWebhook``.
An update without the right secret is refused with 403 before its body is even read, so
nothing from a stranger is stored or processed. A good update goes into the durable inbox
(``InboxUpdate``) and the worker (``python -m bot.telegram``) processes it; Telegram gets its
200 quickly and does not resend. A resent update (same ``update_id``) is stored once.
"""

import hmac
import json
import math
import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bot.telegram import config
from webapp.telegram.models import InboxUpdate

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_is_valid(given: str) -> bool:
    """Constant-time comparison with the configured secret; False when webhook mode is off."""
    if not config.webhook_accepts_updates():
        return False
    return hmac.compare_digest(given.encode("utf-8"), config.webhook_secret().encode("utf-8"))


@csrf_exempt  # Telegram cannot send a CSRF token; the secret header authenticates it instead
@require_POST
def webhook(request):
    """Stores one Telegram update in the inbox if the secret header is right."""
    if not secret_is_valid(request.headers.get(SECRET_HEADER, "")):
        logger.warning("telegram webhook: refused a request without the right secret from %s",
                       request.META.get("REMOTE_ADDR"))
        return HttpResponseForbidden("wrong or missing secret token")
    try:
        update = parse_update(request.body)
    except RequestDataTooBig:
        return HttpResponseBadRequest("the body must be one Telegram update as JSON")
    except UnfitUpdate as problem:
        logger.warning("telegram webhook: refused an update: %s", problem)
        return HttpResponseBadRequest(str(problem))
    InboxUpdate.objects.get_or_create(update_id=update["update_id"], defaults={"payload": update})
    return JsonResponse({"ok": True})


class UnfitUpdate(ValueError):
    """The body is not something Telegram sends; the message says what is wrong."""


# A real update is an object nested five or six levels deep (update → message → reply_to_message
# → chat …); 64 leaves room for new fields and still stops bodies built to exhaust the parser.
MAX_DEPTH = 64
# update_id is stored as a signed 64-bit integer (BigIntegerField); Telegram's are positive.
UPDATE_ID_RANGE = range(0, 2 ** 63)


def _refuse_constant(name: str):
    raise UnfitUpdate(f"{name} is not JSON")


def _check_plain(value, depth: int = 0) -> None:
    """Only what standard JSON and every database can store: no nesting past MAX_DEPTH, no
    NUL characters (PostgreSQL's jsonb refuses them) and no lone surrogates in strings or keys."""
    if depth > MAX_DEPTH:
        raise UnfitUpdate("the update is nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key, depth + 1)
            _check_plain(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item, depth + 1)
    elif isinstance(value, str):
        if "\x00" in value:
            raise UnfitUpdate("the update contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UnfitUpdate("the update contains a lone surrogate") from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise UnfitUpdate("the update contains a number JSON cannot hold")


def parse_update(body: bytes) -> dict:
    """The update in ``body``, or ``UnfitUpdate``: only a JSON object with an integer
    ``update_id`` in the stored range, and nothing a database or the worker could choke on."""
    try:
        update = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnfitUpdate("the update is nested too deeply") from None
    except ValueError as problem:  # also UnicodeDecodeError and UnfitUpdate from NaN/Infinity
        if isinstance(problem, UnfitUpdate):
            raise
        raise UnfitUpdate("the body must be one Telegram update as JSON") from None
    if not isinstance(update, dict):
        raise UnfitUpdate("the body must be one Telegram update as JSON")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise UnfitUpdate("the update has no integer update_id")
    if update_id not in UPDATE_ID_RANGE:
        raise UnfitUpdate("the update_id is out of range")
    _check_plain(update)
    return update
