"""Sign-in, sign-out and the start page of the staff app."""

import datetime as dt

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone

from webapp.content.models import Municipality
from webapp.staff import audit
from webapp.staff.access import has_role, municipality_codes, role_of, staff_required
from webapp.staff.models import FailedLogin, Role

# Five wrong passwords for one account, or twenty from one address, within fifteen minutes
# lock further attempts until the window has passed: slow enough to stop password guessing,
# short enough that a colleague who mistyped can try again after a coffee.
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def _too_many_failures(username: str, ip_address) -> bool:
    since = timezone.now() - LOGIN_WINDOW
    recent = FailedLogin.objects.filter(at__gte=since)
    return (recent.filter(username__iexact=username).count() >= MAX_FAILURES_PER_USERNAME
            or (ip_address and recent.filter(ip_address=ip_address).count() >= MAX_FAILURES_PER_ADDRESS))


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = (request.POST.get("username") or "")[:150]
        ip_address = request.META.get("REMOTE_ADDR")
        if _too_many_failures(username, ip_address):
            audit.record(request, "login_blocked", target_type="user", target_id=username)
            form = self.get_form()
            form.add_error(None, "too many attempts")
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            audit.record(request, "login", target=request.user)
        else:
            FailedLogin.objects.create(username=username, ip_address=ip_address)
            audit.record(request, "login_failed", target_type="user", target_id=username)
        return response


class StaffLogoutView(auth_views.LogoutView):
    next_page = "staff-login"


@staff_required(Role.EDITOR)
def home(request):
    codes = municipality_codes(request.user)
    municipalities = None if codes is None else Municipality.objects.filter(code__in=codes)
    return render(request, "staff/home.html", {
        "role_label": Role(role_of(request.user)).label,
        "municipalities": municipalities,
        "review_rows": _review_rows(request.user),
    })


def _review_rows(user):
    """Publishers: the texts that wait for their review (``None`` for those who cannot publish)."""
    if not has_role(user, Role.PUBLISHER):
        return None
    from webapp.editor.review_views import queue_rows

    return queue_rows(user)
