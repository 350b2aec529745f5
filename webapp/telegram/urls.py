"""URLs of the Telegram front end: the webhook route (see views.py)."""

from django.urls import path

from webapp.telegram import views

urlpatterns = [
    path("webhook", views.webhook, name="telegram-webhook"),
]
