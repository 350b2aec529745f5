"""URLs of the widget front end: /widget/newcomer-widget.js, its CSS, its strings per language."""
from django.urls import path

from webapp.widget import views

urlpatterns = [
    path("strings/<str:language>.json", views.strings, name="widget-strings"),
    path("<str:filename>", views.asset, name="widget-asset"),
]
