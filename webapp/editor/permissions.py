"""Who may write, submit, publish and restore which content: the editor's rules in one place.

* A *place* is a municipality code, or ``None`` for the national default texts.
* National texts and crisis topics (``crisis_…``: they carry 112 and the national help lines)
  belong to admins only.
* Editors and publishers work on their own municipalities, and only on their ``areas`` when
  their profile lists any (a topic or fact kind belongs to the area its key starts with:
  ``sfi_``, ``housing_``, ``school_``; everything else is ``general``).
* Editors write drafts and submit them for review; publishers also publish and send back.

Every view calls these before it reads or writes anything, for GET and POST alike.
"""

from __future__ import annotations

from typing import Optional

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from webapp.content.models import Status
from webapp.staff.access import can_see_municipality, has_role, is_admin, municipality_codes, profile_of
from webapp.staff.models import Area, Role

CRISIS_PREFIX = "crisis_"
TOPIC_AREAS = (Area.SFI, Area.HOUSING, Area.SCHOOL)


def area_of(key: str) -> str:
    """The area of a topic key or fact kind: ``sfi_enrol`` → ``sfi``; others → ``general``."""
    prefix = key.split("_", 1)[0]
    return prefix if prefix in TOPIC_AREAS else Area.GENERAL


def admin_only(key: str) -> bool:
    return key.startswith(CRISIS_PREFIX)


def may_see_place(user, code: Optional[str]) -> bool:
    """National content (``None``) is the admins'; municipalities are their staff's."""
    return can_see_municipality(user, code)


def visible_versions(user, queryset):
    """The versions in ``queryset`` that ``user`` may read: admins all; everyone else their own
    municipalities' versions and the *published* national ones (what the bot shows anyway).
    Every view that takes a version id from the request filters through this, so an id of an
    unpublished national draft or of another municipality's text is simply not found (404)."""
    if is_admin(user):
        return queryset
    codes = municipality_codes(user) or set()
    national_published = Q(municipality__isnull=True, status=Status.PUBLISHED)
    return queryset.filter(Q(municipality_id__in=codes) | national_published)


def may_edit(user, code: Optional[str], key: str) -> bool:
    """Whether ``user`` may read the editing page of, and write drafts for, ``key`` at ``code``."""
    if is_admin(user):
        return True
    if code is None or admin_only(key) or not has_role(user, Role.EDITOR):
        return False
    if not can_see_municipality(user, code):
        return False
    profile = profile_of(user)
    areas = (profile.areas if profile else None) or []
    return not areas or area_of(key) in areas


def may_publish(user, code: Optional[str], key: str) -> bool:
    return has_role(user, Role.PUBLISHER) and may_edit(user, code, key)


def check_place(user, code: Optional[str]) -> None:
    if not may_see_place(user, code):
        raise PermissionDenied("not your municipality")


def check_edit(user, code: Optional[str], key: str) -> None:
    check_place(user, code)
    if not may_edit(user, code, key):
        raise PermissionDenied("not your area")


def check_publish(user, code: Optional[str], key: str) -> None:
    check_edit(user, code, key)
    if not may_publish(user, code, key):
        raise PermissionDenied("publishers only")
