"""URLs of the telegram front end."""
from django.urls import path  # noqa: F401

urlpatterns = []
