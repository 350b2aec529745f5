"""Django admin for content, until the purpose-built editor exists."""

from django.contrib import admin

from webapp.content.models import AnswerVersion, FactVersion, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "website")
    search_fields = ("code", "name")


@admin.register(AnswerVersion)
class AnswerVersionAdmin(admin.ModelAdmin):
    list_display = ("topic", "municipality", "language", "status", "origin", "created_at")
    list_filter = ("language", "status", "origin", "topic")
    search_fields = ("topic", "text")


@admin.register(FactVersion)
class FactVersionAdmin(admin.ModelAdmin):
    list_display = ("municipality", "kind", "key", "name", "status", "is_example", "verified_on")
    list_filter = ("kind", "status", "is_example")
    search_fields = ("name", "municipality__name")
