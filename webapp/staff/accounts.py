"""Who may create and edit which staff accounts (/staff/accounts/).

* An administrator manages every account, with every role and municipality.
* A municipality admin manages accounts with a role below their own (editor, publisher) whose
  municipalities are all among their own; they give only those roles and municipalities. An
  account that also works for another municipality belongs to that municipality's admins too,
  so it is not theirs to change.
"""

from __future__ import annotations

from typing import List

from django.contrib.auth.models import User
from django.db.models import QuerySet

from webapp.content.models import Municipality
from webapp.staff.access import is_admin, municipality_codes, role_of
from webapp.staff.models import ROLE_RANK


def assignable_roles(manager) -> List[str]:
    """The roles ``manager`` may give, lowest first."""
    if is_admin(manager):
        return list(ROLE_RANK)
    own = ROLE_RANK.get(role_of(manager), 0)
    return [role for role, rank in ROLE_RANK.items() if rank < own]


def assignable_municipalities(manager) -> QuerySet:
    codes = municipality_codes(manager)
    everything = Municipality.objects.order_by("name")
    return everything if codes is None else everything.filter(code__in=codes)


def may_manage(manager, account: User) -> bool:
    """True when ``manager`` may edit ``account`` (never their own role: nobody promotes themselves)."""
    if is_admin(manager):
        return True
    if account.pk == manager.pk or account.is_superuser:
        return False
    profile = getattr(account, "staff_profile", None)
    if profile is None or profile.role not in assignable_roles(manager):
        return False
    theirs = set(profile.municipalities.values_list("code", flat=True))
    return bool(theirs) and theirs <= (municipality_codes(manager) or set())


def managed_accounts(manager) -> list:
    """The accounts ``manager`` may edit, for the list page."""
    users = User.objects.select_related("staff_profile").prefetch_related("staff_profile__municipalities")
    if is_admin(manager):
        return list(users.order_by("username"))
    roles = assignable_roles(manager)
    own = municipality_codes(manager) or set()
    candidates = (users.filter(staff_profile__role__in=roles, staff_profile__municipalities__code__in=own,
                               is_superuser=False)
                  .exclude(pk=manager.pk).distinct().order_by("username"))
    return [user for user in candidates if may_manage(manager, user)]
