"""Who a hand-off ticket goes to first, and who may see it.

A ticket goes to the closest people who can help (``route``):

1. ``Tier.LANGUAGE``: staff of the user's municipality who speak the user's language;
2. ``Tier.MUNICIPALITY``: otherwise any staff of that municipality (they write Swedish; the
   inbox tells them which language the user writes, and the user is told the answer may come
   in Swedish);
3. ``Tier.NATIONAL``: otherwise, or without a municipality, the national pool.

``visible_tickets`` is the one rule for seeing tickets: the tickets of one's municipalities,
national-tier tickets for national pool members, everything for admins. A staff member of
another municipality never sees a ticket, whatever its tier.
"""

from __future__ import annotations

from typing import Optional

from django.db.models import Q, QuerySet

from webapp.handoff.models import HandoffTicket, Tier
from webapp.staff.access import is_admin, municipality_codes, profile_of
from webapp.staff.models import StaffProfile


def _active_staff(municipality_code: str) -> QuerySet:
    return StaffProfile.objects.filter(municipalities=municipality_code, user__is_active=True)


def speaks(profile: StaffProfile, language: str) -> bool:
    return language in (profile.languages or [])


def route(municipality_code: Optional[str], language: str) -> str:
    """The tier a new ticket starts in (see the module docstring)."""
    if not municipality_code:
        return Tier.NATIONAL
    staff = list(_active_staff(municipality_code).only("languages"))
    if any(speaks(profile, language) for profile in staff):
        return Tier.LANGUAGE
    if staff:
        return Tier.MUNICIPALITY
    return Tier.NATIONAL


def visible_tickets(user) -> QuerySet:
    """The tickets this person may see (any status)."""
    tickets = HandoffTicket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    if is_admin(user):
        return tickets
    profile = profile_of(user)
    if profile is None:
        return tickets.none()
    allowed = Q(municipality__in=municipality_codes(user) or [])
    if profile.national_pool:
        allowed |= Q(tier=Tier.NATIONAL)
    return tickets.filter(allowed)


def may_take(user, ticket: HandoffTicket) -> bool:
    """Whether ``user`` may be given ``ticket`` by a colleague: they see it (municipality or
    national pool), their account is active, and, where the ticket went to the people who speak
    the user's language (``Tier.LANGUAGE``), they speak it too."""
    if not user.is_active or not visible_tickets(user).filter(pk=ticket.pk).exists():
        return False
    if ticket.tier == Tier.LANGUAGE and ticket.language != "sv":
        profile = profile_of(user)
        return profile is not None and speaks(profile, ticket.language)
    return True


def colleagues_for(ticket: HandoffTicket) -> list:
    """Everyone who may be given ``ticket``, by name, for the assignment list on the ticket page."""
    from django.contrib.auth.models import User

    candidates = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(staff_profile__isnull=False)).select_related("staff_profile").order_by(
        "first_name", "username")
    if ticket.municipality_id:
        candidates = candidates.filter(Q(is_superuser=True) | Q(staff_profile__municipalities=ticket.municipality_id)
                                       | Q(staff_profile__national_pool=True)).distinct()
    return [user for user in candidates if may_take(user, ticket)]
