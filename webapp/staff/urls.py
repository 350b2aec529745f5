"""/staff/: sign-in and the start page; each area's app is included under its own prefix."""

from django.urls import path

from webapp.staff import account_views, views
from webapp.staff.login_limit import answer_429_when_blocked

urlpatterns = [
    path("", views.home, name="staff-home"),
    path("login/", answer_429_when_blocked(views.StaffLoginView.as_view()), name="staff-login"),
    path("logout/", views.StaffLogoutView.as_view(), name="staff-logout"),
    path("content-reviews/", views.content_reviews, name="staff-content-reviews"),
    path("accounts/", account_views.account_list, name="staff-accounts"),
    path("accounts/new/", account_views.account_new, name="staff-account-new"),
    path("accounts/<int:pk>/", account_views.account_edit, name="staff-account"),
]
