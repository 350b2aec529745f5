"""One sign-in limit for every door that checks a staff password: ``/staff/login/`` and
``/admin/login/`` (and anything else that calls Django's ``authenticate``).

The limit sits in an authentication backend, not in a view, so no login page can forget it:
``RateLimitedModelBackend.authenticate`` refuses (``PermissionDenied``, which makes Django stop
trying other backends) while the username or the client address has too many recent failures,
and the ``user_login_failed`` signal records each real failure.

* The username is counted the way Django finds the account: the form strips whitespace and we
  case-fold, so ``"name "``, ``"NAME"`` and ``name`` are one account for the limit.
* The client address is ``REMOTE_ADDR``, or the client named in ``X-Forwarded-For`` when the
  request came from a proxy listed in ``TRUSTED_PROXIES`` (bot.settings). Behind nginx without
  that setting every request seems to come from nginx, so twenty failures from anyone would lock
  out all staff; with it, each client is counted on its own. A header from anyone else is ignored,
  so a client cannot pick the address it is counted under.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import unicodedata
from typing import Optional

from django.contrib.auth import user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from bot import settings as env

# Five wrong passwords for one account, or twenty from one address, within fifteen minutes
# lock further attempts until the window has passed: slow enough to stop password guessing,
# short enough that a colleague who mistyped can try again after a coffee.
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def normalise_username(username) -> str:
    """The key an account is counted under: stripped, NFKC-normalised (as Django's
    ``AbstractBaseUser.normalize_username``) and case-folded, cut to the column's length."""
    text = unicodedata.normalize("NFKC", str(username or "")).strip().casefold()
    return text[:150]


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in env.trusted_proxies())


def client_address(request) -> Optional[str]:
    """The address of the client, past our own trusted proxies only (see the module docstring)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Each proxy appends the address it saw, so read from the right and stop at the first hop
    # that is not one of ours: everything left of it was written by the client itself.
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a garbled header: count the proxy, never a made-up string
        if not _is_trusted_proxy(hop):
            return hop
    return remote


def too_many_failures(username: str, address: Optional[str]) -> bool:
    from webapp.staff.models import FailedLogin

    recent = FailedLogin.objects.filter(at__gte=timezone.now() - LOGIN_WINDOW)
    if recent.filter(username=normalise_username(username)).count() >= MAX_FAILURES_PER_USERNAME:
        return True
    return bool(address) and recent.filter(ip_address=address).count() >= MAX_FAILURES_PER_ADDRESS


class RateLimitedModelBackend(ModelBackend):
    """Django's model backend behind the sign-in limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if request is not None and too_many_failures(username, client_address(request)):
            from webapp.staff import audit

            request.login_blocked = True  # the views answer 429, and this is not a new failure
            audit.record(request, "login_blocked", target_type="user", target_id=normalise_username(username))
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed)
def record_failure(sender, credentials, request=None, **kwargs):
    """Counts a wrong password or unknown account (not a refused, already blocked attempt)."""
    if request is None or getattr(request, "login_blocked", False):
        return
    from webapp.staff import audit
    from webapp.staff.models import FailedLogin

    username = normalise_username(credentials.get("username", ""))
    FailedLogin.objects.create(username=username, ip_address=client_address(request))
    audit.record(request, "login_failed", target_type="user", target_id=username)


def answer_429_when_blocked(view):
    """Wraps a login view: a refused attempt gets 429 Too Many Requests, not a plain 200."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "login_blocked", False):
            response.status_code = 429
        return response

    wrapped.__name__ = getattr(view, "__name__", "login")
    wrapped.__doc__ = view.__doc__
    return wrapped
