"""Server-side access rules for every staff page: one place, used by every view.

* ``staff_required(role)``: anonymous → login page; signed in without that role → 403.
* ``municipality_codes(user)``: the municipalities a person may see (``None``: all, for admins).
* ``check_municipality(user, code)``: 403 unless the person works for that municipality.
"""

from __future__ import annotations

import functools
from typing import Optional, Set

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from webapp.staff.models import ROLE_RANK, Role


def profile_of(user):
    if not user.is_authenticated:
        return None
    return getattr(user, "staff_profile", None)


def role_of(user) -> Optional[str]:
    """The person's role, ``admin`` for superusers, ``None`` for users without staff access."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = profile_of(user)
    return profile.role if profile else None


def has_role(user, role: str) -> bool:
    current = role_of(user)
    return current is not None and ROLE_RANK[current] >= ROLE_RANK[role]


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def municipality_codes(user) -> Optional[Set[str]]:
    """Codes of the municipalities the person works for; ``None`` means every municipality."""
    if is_admin(user):
        return None
    profile = profile_of(user)
    if profile is None:
        return set()
    return set(profile.municipalities.values_list("code", flat=True))


def can_see_municipality(user, code: Optional[str]) -> bool:
    """National content and conversations without a municipality belong to admins only."""
    codes = municipality_codes(user)
    if codes is None:
        return True
    return bool(code) and code in codes


def check_municipality(user, code: Optional[str]) -> None:
    if not can_see_municipality(user, code):
        raise PermissionDenied("not your municipality")


def languages_of(user) -> Set[str]:
    profile = profile_of(user)
    return set(profile.languages or []) if profile else set()


def staff_required(role: str = Role.EDITOR):
    """Decorator for a staff view: login first, then at least ``role``, enforced here."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied("role")
            return view(request, *args, **kwargs)

        wrapped.required_role = role  # the role matrix test reads this
        return wrapped

    return decorator
