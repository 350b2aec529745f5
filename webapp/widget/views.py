"""Views of the embeddable widget: its script and style sheet, and its UI strings per language.

Municipalities embed the widget from their own pages, so everything here is public, can be
fetched from any origin (``Access-Control-Allow-Origin: *``; it holds nothing private) and is
cached briefly by browsers. ``runserver --noreload`` with ``DEBUG`` off serves no static
files, so the widget's two files are served by ``asset`` from the app's ``static/widget/``
folder; ``collectstatic`` still finds them there for a production web server.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from bot.language import DEFAULT_LANGUAGE, MAX_MESSAGE_CHARS, canonical_language
from webapp.widget.strings import language_choices, text_direction, ui_strings

STATIC_DIR = Path(__file__).resolve().parent / "static" / "widget"

# Only these files are served, each with its type spelled out rather than guessed.
ASSET_TYPES = {
    "newcomer-widget.js": "text/javascript; charset=utf-8",
    "newcomer-widget.css": "text/css; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}

# File names carry no version, so browsers keep them only briefly and then revalidate
# (Last-Modified / If-Modified-Since), which makes a deployed change visible within minutes.
CACHE_SECONDS = 300


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    response["Access-Control-Allow-Origin"] = "*"
    # Pages that isolate themselves (Cross-Origin-Embedder-Policy) may still load the widget.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def asset(request, filename: str) -> HttpResponse:
    """The widget's script or style sheet."""
    if filename not in ASSET_TYPES:
        raise Http404("no such widget file")
    response = serve(request, filename, document_root=STATIC_DIR)
    if response.status_code == 200:
        response["Content-Type"] = ASSET_TYPES[filename]
    return _public(response)


@require_safe
def strings(request, language: str) -> JsonResponse:
    """The widget's UI strings in one language, and what it needs to know about languages.

    Aliases are accepted (``fa-AF``, ``prs``, ``ar-SY``); an unknown language gets Swedish, and
    ``language`` in the answer says which one was served.
    """
    code = canonical_language(language) or DEFAULT_LANGUAGE
    payload = {
        "language": code,
        "dir": text_direction(code),
        "strings": ui_strings(code),
        "languages": language_choices(),
        "maxLength": MAX_MESSAGE_CHARS,
        # Used when the embedding page names no Rasa URL of its own.
        "rasaUrl": settings.RASA_PUBLIC_URL,
    }
    return _public(JsonResponse(payload, json_dumps_params={"ensure_ascii": False}))


MESSAGES_PER_POLL = 50


@require_safe
def handoff_messages(request) -> JsonResponse:
    """What a person wrote to this widget conversation since message ``after``, and whether a
    person still has the conversation (``active``), for the widget to poll while handed over.

    ``GET /widget/messages?sender=web-<id>&session=<signature>&after=<id>``. Only a widget
    conversation with its server-issued signature is served (``bot.web_sessions``, 403
    otherwise): the signature is what keeps one person's staff replies from everyone else.
    Telegram and token callers' conversations are never served here. Rows are written by
    ``webapp.handoff.service`` (staff replies, "the bot is back", the contact options)."""
    from django.utils import timezone

    from bot import web_sessions
    from webapp.handoff.models import HandoffDelivery
    from webapp.handoff.service import is_handed_over

    sender = request.GET.get("sender", "")
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = -1
    if not web_sessions.verify(sender, request.GET.get("session", "")):
        response = JsonResponse({"error": "sender and session must be the widget's signed conversation "
                                          "(POST /webhooks/rest/session on the Rasa server)"}, status=403)
    elif after < 0:
        response = JsonResponse({"error": "after must be a number"}, status=400)
    else:
        rows = list(HandoffDelivery.objects.filter(sender_id=sender, id__gt=after).order_by("id")[:MESSAGES_PER_POLL])
        undelivered = [row.pk for row in rows if row.delivered_at is None]
        if undelivered:
            HandoffDelivery.objects.filter(pk__in=undelivered).update(delivered_at=timezone.now())
        messages = [{"id": row.pk, "kind": row.kind, "text": row.text, "buttons": row.buttons,
                     "name": row.staff_name, "active": row.handoff_active} for row in rows]
        response = JsonResponse({"messages": messages, "active": is_handed_over(sender)},
                                json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response
