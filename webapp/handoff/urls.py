"""/staff/inbox/: the hand-off inbox (webapp.handoff.views)."""

from django.urls import path

from webapp.handoff import views

urlpatterns = [
    path("", views.inbox, name="handoff-inbox"),
    path("feed/", views.inbox_feed, name="handoff-inbox-feed"),
    path("<int:pk>/", views.ticket, name="handoff-ticket"),
    path("<int:pk>/feed/", views.ticket_feed, name="handoff-ticket-feed"),
    path("<int:pk>/claim/", views.claim, name="handoff-claim"),
    path("<int:pk>/reply/", views.reply, name="handoff-reply"),
    path("<int:pk>/close/", views.close, name="handoff-close"),
]
