"""Sign-in, sign-out and the start page of the staff app."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from webapp.content.models import Municipality
from webapp.staff import audit
from webapp.staff.access import municipality_codes, role_of, staff_required
from webapp.staff.models import Role


class StaffLoginView(auth_views.LoginView):
    """The staff sign-in page; the limit on wrong passwords is in ``login_limit``, shared with
    /admin/login/."""

    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            audit.record(request, "login", target=request.user)
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
    })
