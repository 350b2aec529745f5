"""URLs of the web app on port 8000."""

from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

from webapp import views
from webapp.staff.login_limit import answer_429_when_blocked

urlpatterns = [
    path("", views.demo_page, name="demo"),
    path("healthz", views.health, name="health"),
    # The admin's own login view, answering 429 when the shared sign-in limit refuses
    # (webapp/staff/login_limit.py); listed first so it wins over admin.site.urls' route.
    path("admin/login/", answer_429_when_blocked(admin.site.login)),
    path("admin/", admin.site.urls),
    path("telegram/", include("webapp.telegram.urls")),
    path("widget/", include("webapp.widget.urls")),
    # Staff app: each area in its own Django app, all behind webapp.staff.access.
    path("staff/", include("webapp.staff.urls")),
    path("staff/content/", include("webapp.editor.urls")),
    path("staff/review/", include("webapp.transcripts.urls")),
    path("staff/inbox/", include("webapp.handoff.urls")),
    path("staff/privacy/", include("webapp.privacy.urls")),
    path("staff/facts/", include("webapp.facts.urls")),
    # The staff pages' CSS and scripts: `runserver` with DEBUG off serves no static files, and
    # without them the live inbox would not update. In production a web server in front serves
    # STATIC_ROOT (collectstatic) and requests never reach this.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
