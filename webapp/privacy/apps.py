"""Data protection: retention, erasure and export of a person's conversations, the audit log."""
from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "webapp.privacy"
    label = "privacy"
    verbose_name = "Dataskydd"

    def ready(self):
        from webapp.privacy import receivers  # noqa: F401  connects the erase receivers
