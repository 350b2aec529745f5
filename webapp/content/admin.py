"""Django admin for content: municipalities, and a read-only view of every version.

Versions are append-only and go through review in the content editor (/staff/content/), so the
admin shows them but does not change them: editing a row here would rewrite history and skip
the translation bookkeeping.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from webapp.content.models import AnswerVersion, CrisisLine, FactVersion, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "website")
    search_fields = ("code", "name")


class ReadOnlyVersionAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnswerVersion)
class AnswerVersionAdmin(ReadOnlyVersionAdmin):
    list_display = ("id", "topic", "municipality", "language", "status", "origin", "created_by", "created_at",
                    "published_at", "source_version_id", "editor_link")
    list_filter = ("language", "status", "origin", "topic")
    search_fields = ("topic", "text")

    @admin.display(description="Editor")
    def editor_link(self, obj):
        url = reverse("editor-answer", args=[obj.municipality_id or "national", obj.topic])
        return format_html('<a href="{}">öppna</a>', url)


@admin.register(FactVersion)
class FactVersionAdmin(ReadOnlyVersionAdmin):
    list_display = ("id", "municipality", "kind", "key", "name", "status", "is_example", "verified_on",
                    "published_at", "editor_link")
    list_filter = ("kind", "status", "is_example")
    search_fields = ("name", "municipality__name")

    @admin.display(description="Editor")
    def editor_link(self, obj):
        return format_html('<a href="{}">öppna</a>', reverse("editor-fact", args=[obj.municipality_id, obj.kind, obj.key]))


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):
    """Crisis numbers: one row per line, used by every crisis reply in every language at once."""

    list_display = ("key", "name", "number", "checked_on", "changed_by_staff")
    readonly_fields = ("key", "changed_by_staff")
    search_fields = ("name", "number")

    def has_add_permission(self, request):
        return False  # a new line needs a placeholder in the crisis texts: add it in crisis_lines.yml

    def has_delete_permission(self, request, obj=None):
        return False  # a crisis text must never lose its number

    def save_model(self, request, obj, form, change):
        obj.changed_by_staff = True  # load_content keeps an admin's number
        super().save_model(request, obj, form, change)
