"""Django admin for what admins set up for the hand-off: each municipality's office hours,
closures and contact options. Tickets are shown read-only; staff work them in the inbox
(/staff/inbox/), where every step is checked and logged."""

from django.contrib import admin

from webapp.handoff.models import CannedReply, HandoffDelivery, HandoffTicket, Holiday, OfficeHours, ServiceContact


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Staff keep their ready-made replies in the inbox (/staff/inbox/replies/); listed here too."""

    list_display = ("title", "language", "municipality", "updated_at", "updated_by")
    list_filter = ("language",)
    search_fields = ("title", "text")
    exclude = ("updated_by",)


@admin.register(ServiceContact)
class ServiceContactAdmin(admin.ModelAdmin):
    list_display = ("municipality", "name", "phone", "visiting_address", "is_example", "origin")
    list_filter = ("is_example", "origin")
    search_fields = ("municipality__name", "name")
    exclude = ("origin",)

    def save_model(self, request, obj, form, change):
        obj.origin = "staff"  # the seed never overwrites an admin's change (load_office_hours)
        super().save_model(request, obj, form, change)


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ("municipality", "weekday", "opens", "closes")
    list_filter = ("weekday",)
    search_fields = ("municipality__name", "municipality__code")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Extra closures; public holidays and the eves offices close on are built in."""

    list_display = ("date", "name", "municipality")
    search_fields = ("name", "municipality__name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandoffTicket)
class HandoffTicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "reason", "priority", "language", "municipality", "tier", "status", "outcome")
    list_filter = ("status", "reason", "priority", "tier", "language")


@admin.register(HandoffDelivery)
class HandoffDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "channel", "kind", "delivered_at", "failed_at", "attempts")
    list_filter = ("channel", "kind")
    exclude = ("text",)  # a person's words to a user: read them in the inbox, where viewing is logged
