"""Hand-off to a person: tickets, routing, office hours and the staff inbox."""
from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "webapp.handoff"
    label = "handoff"

    def ready(self):
        from webapp.transcripts.erase import conversation_erased

        conversation_erased.connect(_forget_erased_conversation, dispatch_uid="handoff-forget-erased")


def _forget_erased_conversation(sender, sender_id: str, **kwargs):
    """An erased conversation leaves no ticket, summary or undelivered message behind."""
    from webapp.handoff.service import forget_conversation

    forget_conversation(sender_id)
