"""URLs of the widget front end: /widget/newcomer-widget.js, its CSS, its strings per language."""
from django.urls import path

from webapp.widget import views

urlpatterns = [
    path("strings/<str:language>.json", views.strings, name="widget-strings"),
    path("messages", views.handoff_messages, name="widget-handoff-messages"),
    path("<str:filename>", views.asset, name="widget-asset"),
]
