"""What staff do with tickets, in one place that views, tests and commands share.

The inbox views (``webapp.handoff.views``) call only these functions; they enforce nothing
about roles (the views do that with ``webapp.staff.access``) but they do check that the
ticket is in a state that allows the step.

Contract (implemented by the hand-off core):

* ``visible_tickets(user)``: queryset of tickets the person may see (their municipalities;
  national pool members also see ``Tier.NATIONAL`` tickets; admins everything).
* ``claim(ticket, user)``: WAITING → CLAIMED (raises ``TicketStateError`` otherwise).
* ``reply(ticket, user, text)``: records the staff message in the Rasa tracker (BotUttered with
  metadata ``handoff_staff``) and delivers it on the user's channel (Telegram or web widget).
* ``close(ticket, user, outcome)``: CLOSED; resumes the Rasa conversation and tells the user,
  in their language, that the bot is back.
* ``history(ticket)``: the conversation's transcript messages (``webapp.transcripts``), synced.
"""


class TicketStateError(Exception):
    """The step is not allowed in the ticket's current state (e.g. replying to a closed ticket)."""
