"""/staff/inbox/: the hand-off inbox (webapp.handoff.views)."""

from django.urls import path

from webapp.handoff import canned_views, views

urlpatterns = [
    path("", views.inbox, name="handoff-inbox"),
    path("feed/", views.inbox_feed, name="handoff-inbox-feed"),
    path("<int:pk>/", views.ticket, name="handoff-ticket"),
    path("<int:pk>/feed/", views.ticket_feed, name="handoff-ticket-feed"),
    path("<int:pk>/claim/", views.claim, name="handoff-claim"),
    path("<int:pk>/reply/", views.reply, name="handoff-reply"),
    path("<int:pk>/close/", views.close, name="handoff-close"),
    path("<int:pk>/assign/", views.assign, name="handoff-assign"),
    path("replies/", canned_views.canned_list, name="handoff-canned-list"),
    path("replies/new/", canned_views.canned_new, name="handoff-canned-new"),
    path("replies/<int:pk>/", canned_views.canned_edit, name="handoff-canned-edit"),
    path("replies/<int:pk>/delete/", canned_views.canned_delete, name="handoff-canned-delete"),
]
