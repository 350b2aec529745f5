"""Admins manage accounts in Django's admin too: a user's staff profile (role, municipalities,
languages) is edited on the user's own page, with the same checkboxes and validation as the
staff app's account pages (/staff/accounts/, ``webapp.staff.account_views``)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from webapp.staff.forms import StaffProfileAdminForm
from webapp.staff.models import AuditEntry, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileAdminForm
    can_delete = False
    filter_horizontal = ("municipalities",)
    verbose_name_plural = "Personalprofil (roll, kommuner, språk)"


class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "email", "first_name", "last_name", "staff_role", "is_active")

    @admin.display(description="Roll")
    def staff_role(self, user):
        profile = getattr(user, "staff_profile", None)
        return "Administratör (superanvändare)" if user.is_superuser else (
            profile.get_role_display() if profile else "—")


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the audit log from the app."""

    list_display = ("at", "username", "action", "target_type", "target_id", "municipality")
    list_filter = ("action", "target_type")
    search_fields = ("username", "target_id", "municipality")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
