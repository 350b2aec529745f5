"""Sign-in, sign-out and the start page of the staff app."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone

from webapp.content.models import Municipality, TopicReview
from webapp.staff import audit
from webapp.staff.access import has_role, municipality_codes, role_of, staff_required
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
    due, law_changes = review_attention()
    return render(request, "staff/home.html", {
        "role_label": Role(role_of(request.user)).label,
        "municipalities": municipalities,
        "reviews_due": due,
        "law_changes": law_changes,
        "review_rows": _review_rows(request.user),
    })


def review_attention():
    """The national texts past their review date, and those whose law is flagged as changing
    (data/content/topics.yml, loaded by load_content): what the start page points out."""
    today = timezone.localdate()
    reviews = list(TopicReview.objects.all())
    due = [r for r in reviews if r.is_due(today)]
    return due, [r for r in reviews if r.law_change]


@staff_required(Role.EDITOR)
def content_reviews(request):
    """Every national topic with its sources, last review, review-by date and law change."""
    today = timezone.localdate()
    reviews = list(TopicReview.objects.all())
    return render(request, "staff/content_reviews.html", {
        "reviews": [{"row": r, "due": r.is_due(today)} for r in reviews],
        "due_count": sum(1 for r in reviews if r.is_due(today)),
        "law_count": sum(1 for r in reviews if r.law_change),
        "today": today,
    })


def _review_rows(user):
    """Publishers: the texts that wait for their review (``None`` for those who cannot publish)."""
    if not has_role(user, Role.PUBLISHER):
        return None
    from webapp.editor.review_views import queue_rows

    return queue_rows(user)
