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
        update = json.loads(request.body)
    except (ValueError, RequestDataTooBig):
        return HttpResponseBadRequest("the body must be one Telegram update as JSON")
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return HttpResponseBadRequest("the update has no integer update_id")
    InboxUpdate.objects.get_or_create(update_id=update_id, defaults={"payload": update})
    return JsonResponse({"ok": True})
