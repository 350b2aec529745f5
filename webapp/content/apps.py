from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "webapp.content"
    label = "content"
    verbose_name = "Answer content"

    def ready(self):
        from webapp.content import signals  # noqa: F401  (connects the revision counter)
