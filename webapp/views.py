"""Pages that are not staff views: the demo page that embeds the web widget, and a health check."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

# A municipality page embedding the widget needs no more than this: scripts, styles and
# requests to the product itself and to Rasa. The demo page sends it to prove the widget
# needs no inline code, no eval and no outside hosts (docs/widget.md, "Content Security Policy").
DEMO_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect_sources}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


# The demo plays the web site of Nacka, one of the municipalities with shipped (example) facts,
# so that answers show local details without asking for the municipality first.
DEMO_MUNICIPALITY = "0182"


def _origin(url: str) -> str:
    """``http://host:port`` of an absolute URL; empty for a path on the page's own origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def demo_page(request):
    """The demo page: a municipality-like page that embeds the widget with one script tag."""
    widget_src = reverse("widget-asset", args=["newcomer-widget.js"])
    context = {
        "rasa_url": settings.RASA_PUBLIC_URL,
        "widget_src": widget_src,
        "widget_absolute_src": request.build_absolute_uri(widget_src),
        "demo_css": reverse("widget-asset", args=["demo.css"]),
        "municipality": DEMO_MUNICIPALITY,
    }
    response = render(request, "demo.html", context)
    connect_sources = " ".join(filter(None, ["'self'", _origin(settings.RASA_PUBLIC_URL)]))
    response["Content-Security-Policy"] = DEMO_CONTENT_SECURITY_POLICY.format(connect_sources=connect_sources)
    return response


def health(request):
    return JsonResponse({"status": "ok"})
