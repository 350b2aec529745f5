"""Admins set each municipality's retention period in Django's admin; every change is audit-logged."""

from django.contrib import admin

from webapp.privacy.models import RetentionPolicy
from webapp.staff import audit


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ("municipality", "days", "updated_at", "updated_by")
    search_fields = ("municipality__name", "municipality__code")
    autocomplete_fields = ("municipality",)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(request, "retention_policy_change" if change else "retention_policy_add", obj,
                     municipality=obj.municipality_id, days=obj.days)

    def delete_model(self, request, obj):
        audit.record(request, "retention_policy_delete", obj, municipality=obj.municipality_id, days=obj.days)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for policy in queryset:
            audit.record(request, "retention_policy_delete", policy, municipality=policy.municipality_id,
                         days=policy.days)
        super().delete_queryset(request, queryset)
