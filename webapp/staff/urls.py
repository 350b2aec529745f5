"""/staff/: sign-in and the start page; each area's app is included under its own prefix."""

from django.urls import path

from webapp.staff import views

urlpatterns = [
    path("", views.home, name="staff-home"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", views.StaffLogoutView.as_view(), name="staff-logout"),
    path("content-reviews/", views.content_reviews, name="staff-content-reviews"),
]
