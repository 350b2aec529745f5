"""/staff/privacy/: data protection pages for admins (webapp.privacy.views)."""

from django.urls import path

from webapp.privacy import views

urlpatterns = [
    path("", views.home, name="privacy-home"),
    path("audit/", views.audit_log, name="privacy-audit"),
    # ``path``: a sender id is any string the REST client chose, slashes included.
    path("export/<path:sender_id>", views.export, name="privacy-export"),
    path("erase/<path:sender_id>", views.erase, name="privacy-erase"),
]
