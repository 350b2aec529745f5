"""The sign-in limit (webapp/staff/login_limit.py): one limit for /staff/login/ and
/admin/login/, counted on the username as Django normalises it and on the real client address,
which comes from X-Forwarded-For only when a trusted proxy sent the request."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from webapp.staff.login_limit import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USERNAME, normalise_username

PASSWORD = "test-password-123"


def _address() -> str:
    """A documentation address (RFC 5737) of its own for each test: the database is shared."""
    value = uuid.uuid4().int
    return f"203.0.{value % 113 + 1}.{value // 113 % 250 + 1}"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_refuses_the_right_password_after_thirty_wrong_ones(database):
    name = f"root-{uuid.uuid4().hex[:8]}"
    User.objects.create_superuser(name, f"{name}@example.org", PASSWORD)
    client = Client(REMOTE_ADDR=_address())
    for _ in range(30):
        client.post("/admin/login/", {"username": name, "password": "wrong-" + uuid.uuid4().hex[:6]})
    response = client.post("/admin/login/", {"username": name, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@pytest.mark.parametrize("door", ["/staff/login/", "/admin/login/"])
def test_spellings_of_one_username_count_against_that_account(make_staff, door):
    from webapp.staff.models import AuditEntry

    user, _ = make_staff(superuser=True)
    variants = [user.username + " ", user.username.upper(), " " + user.username.title(), user.username,
                "\u00a0" + user.username.upper() + "\t"]
    assert {normalise_username(v) for v in variants} == {user.username}
    for number in range(MAX_FAILURES_PER_USERNAME):
        # A new address each time: only the per-account count can lock.
        Client(REMOTE_ADDR=_address()).post(door, {"username": variants[number % len(variants)], "password": "no"})
    client = Client(REMOTE_ADDR=_address())
    response = client.post(door, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and not _signed_in(client)
    assert AuditEntry.objects.filter(action="login_blocked", target_id=user.username).exists()
    # The other door is locked too: it is one limit.
    other = "/admin/login/" if door == "/staff/login/" else "/staff/login/"
    client = Client(REMOTE_ADDR=_address())
    assert client.post(other, {"username": user.username, "password": PASSWORD}).status_code == 429


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_another(make_staff, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    user, _ = make_staff("editor", ["0182"], ["sv"])
    guesser, colleague = _address(), _address()
    # nginx (127.0.0.1) in front: each client appears only in X-Forwarded-For.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{guesser}, 10.1.2.3")
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        proxied.post("/staff/login/", {"username": f"guess-{attempt}-{uuid.uuid4().hex[:6]}", "password": "x"})
    locked = proxied.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=colleague)
    assert other.post("/staff/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    assert _signed_in(other)


def test_a_forwarded_header_from_an_untrusted_address_is_ignored(make_staff, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    user, _ = make_staff("editor", ["0182"], ["sv"])
    attacker = _address()
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        # A fresh made-up X-Forwarded-For each time must not give the attacker fresh addresses.
        Client(REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=_address()).post(
            "/staff/login/", {"username": f"guess-{attempt}-{uuid.uuid4().hex[:6]}", "password": "x"})
    client = Client(REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=_address())
    assert client.post("/staff/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
