"""Pages that are not staff views: the page to chat with the bot, and a health check."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from bot.language import LANGUAGES, NATIVE_NAMES, RIGHT_TO_LEFT


def chat_page(request):
    """A minimal page to chat with the assistant in the browser through Rasa's REST channel."""
    languages = [{"code": code, "name": NATIVE_NAMES[code], "dir": "rtl" if code in RIGHT_TO_LEFT else "ltr"}
                 for code in LANGUAGES]
    return render(request, "chat.html", {"rasa_url": settings.RASA_PUBLIC_URL, "languages": languages})


def health(request):
    return JsonResponse({"status": "ok"})
