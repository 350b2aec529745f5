"""URLs of the web app on port 8000."""

from django.contrib import admin
from django.urls import include, path

from webapp import views

urlpatterns = [
    path("", views.demo_page, name="demo"),
    path("healthz", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("telegram/", include("webapp.telegram.urls")),
    path("widget/", include("webapp.widget.urls")),
]
