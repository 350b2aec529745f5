"""Read-only admin views of the Telegram tables, for operators looking into a delivery."""

from django.contrib import admin

from webapp.telegram.models import ButtonPayload, InboxUpdate, PendingMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """The worker owns these rows; staff may look, and delete what is stuck, but not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InboxUpdate)
class InboxUpdateAdmin(ReadOnlyAdmin):
    list_display = ("update_id", "received_at", "processed_at")
    list_filter = (("processed_at", admin.EmptyFieldListFilter),)


@admin.register(PendingMessage)
class PendingMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "sender", "created_at", "attempts", "last_error", "delivered_at")
    list_filter = (("delivered_at", admin.EmptyFieldListFilter),)
    search_fields = ("sender",)


@admin.register(ButtonPayload)
class ButtonPayloadAdmin(ReadOnlyAdmin):
    list_display = ("key", "payload", "created_at")
    search_fields = ("payload",)
