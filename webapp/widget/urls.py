"""URLs of the widget front end."""
from django.urls import path  # noqa: F401

urlpatterns = []
