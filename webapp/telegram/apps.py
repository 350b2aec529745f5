"""Django app configuration of the Telegram front end."""

from django.apps import AppConfig


class TelegramConfig(AppConfig):
    name = "webapp.telegram"
    label = "telegram"
    verbose_name = "Telegram"
    default_auto_field = "django.db.models.BigAutoField"
