"""Security of the staff app beyond the role matrix: headers on staff and admin pages,
session cookies and expiry, the sign-in rate limit per address."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone


def _assert_secure_headers(response):
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]  # Django's never_cache adds more, never less


@pytest.mark.parametrize("path", ["/staff/", "/staff/privacy/", "/staff/privacy/audit/", "/admin/",
                                  "/admin/privacy/retentionpolicy/", "/admin/privacy/retentionpolicy/add/"])
def test_staff_and_admin_pages_send_security_headers(make_staff, path):
    _user, client = make_staff(superuser=True)
    response = client.get(path)
    assert response.status_code == 200
    _assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/staff/login/", "/admin/login/"])
def test_sign_in_pages_send_security_headers(database, path):
    response = Client().get(path)
    assert response.status_code == 200
    _assert_secure_headers(response)


def _sign_in(make_staff):
    user, _ = make_staff("admin", [], ["sv"])
    client = Client()
    client.get("/staff/login/")
    response = client.post("/staff/login/", {"username": user.username, "password": "test-password-123"})
    assert response.status_code == 302
    return client, response


def test_session_cookie_is_httponly_samesite_and_ends_with_the_browser(make_staff):
    client, response = _sign_in(make_staff)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # No Expires/Max-Age: the browser forgets the session when it closes.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax"


def test_an_idle_session_expires_and_activity_keeps_it_alive(make_staff):
    client, _response = _sign_in(make_staff)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle <= dt.timedelta(hours=2)
    session = Session.objects.get(session_key=key)
    assert abs(session.expire_date - (timezone.now() + idle)) < dt.timedelta(minutes=1)

    # Ten minutes before the idle limit: a request renews the full period.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=10))
    assert client.get("/staff/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + idle - dt.timedelta(minutes=1)

    # Past the idle limit: back to the sign-in page.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/staff/privacy/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_sign_in_is_rate_limited_per_address(make_staff):
    from webapp.staff.models import AuditEntry
    from webapp.staff.login_limit import MAX_FAILURES_PER_ADDRESS

    address = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    client = Client(REMOTE_ADDR=address)
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        # A different (made-up) account each time: the per-account limit never triggers.
        response = client.post("/staff/login/", {"username": f"guess-{attempt}-{uuid.uuid4().hex[:6]}",
                                                 "password": "wrong"})
        assert response.status_code == 200
    user, _ = make_staff("editor", ["0182"], ["sv"])
    response = client.post("/staff/login/", {"username": user.username, "password": "test-password-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_blocked", ip_address=address).exists()
    # The same account from another address signs in.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/staff/login/", {"username": user.username, "password": "test-password-123"}).status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(make_staff):
    user, _ = make_staff("editor", ["0182"], ["sv"])
    wrong = Client(REMOTE_ADDR="198.51.100.8").post("/staff/login/", {"username": user.username, "password": "nope"})
    unknown = Client(REMOTE_ADDR="198.51.100.9").post("/staff/login/", {"username": "no-" + uuid.uuid4().hex,
                                                                         "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
