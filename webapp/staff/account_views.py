"""Staff accounts in the staff app, in Swedish, without JSON: the list, a new account, one account.

Open to municipality admins and administrators (``webapp.staff.accounts`` says who may change
which account). Every creation and change goes to the audit log with the fields that changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from webapp.staff import audit
from webapp.staff.access import is_admin, staff_required
from webapp.staff.accounts import assignable_municipalities, assignable_roles, managed_accounts, may_manage
from webapp.staff.forms import LANGUAGE_CHOICES_SV, AccountForm
from webapp.staff.models import Area, Role, StaffProfile

LANGUAGE_NAMES = dict(LANGUAGE_CHOICES_SV)
AREA_NAMES = dict(Area.choices)


def _form(request, account=None, data=None):
    return AccountForm(data, manager_roles=assignable_roles(request.user),
                       municipalities=assignable_municipalities(request.user),
                       may_set_national_pool=is_admin(request.user), account=account,
                       initial=_initial(account))


def _initial(account):
    if account is None:
        return {"is_active": True, "role": Role.EDITOR}
    profile = getattr(account, "staff_profile", None)
    initial = {"username": account.username, "email": account.email, "is_active": account.is_active}
    if profile is not None:
        initial.update(display_name=profile.display_name, role=profile.role, languages=profile.languages,
                       areas=profile.areas, municipalities=list(profile.municipalities.all()),
                       national_pool=profile.national_pool)
    return initial


def _snapshot(account) -> dict:
    """What the audit log records about an account (never the password)."""
    profile = getattr(account, "staff_profile", None)
    return {
        "username": account.username, "email": account.email, "is_active": account.is_active,
        "role": profile.role if profile else "",
        "display_name": profile.display_name if profile else "",
        "languages": sorted(profile.languages) if profile else [],
        "areas": sorted(profile.areas) if profile else [],
        "municipalities": sorted(profile.municipalities.values_list("code", flat=True)) if profile else [],
        "national_pool": profile.national_pool if profile else False,
    }


@transaction.atomic
def _save(form, account=None) -> User:
    data = form.cleaned_data
    if account is None:
        account = User(username=data["username"])
    account.username = data["username"]
    account.email = data.get("email") or ""
    account.is_active = data.get("is_active", False)
    if data.get("password"):
        account.set_password(data["password"])
    account.save()
    profile = getattr(account, "staff_profile", None) or StaffProfile(user=account)
    profile.role = data["role"]
    profile.display_name = data.get("display_name") or ""
    profile.languages = list(data.get("languages") or [])
    profile.areas = list(data.get("areas") or [])
    if form.may_set_national_pool:
        profile.national_pool = data.get("national_pool", False)
    profile.full_clean(exclude=["user", "municipalities"])  # the model's own checks, once more
    profile.save()
    profile.municipalities.set(data.get("municipalities") or [])
    return account


def _describe(account) -> dict:
    profile = getattr(account, "staff_profile", None)
    return {
        "account": account,
        "role_label": "Administratör (superanvändare)" if account.is_superuser else (
            profile.get_role_display() if profile else "–"),
        "display_name": profile.display_name if profile else "",
        "languages": ", ".join(LANGUAGE_NAMES.get(code, code) for code in (profile.languages if profile else [])),
        "areas": ", ".join(AREA_NAMES.get(code, code) for code in (profile.areas if profile else [])) or "Alla",
        "municipalities": ", ".join(m.name for m in profile.municipalities.all()) if profile else "",
    }


@require_safe
@staff_required(Role.MUNICIPALITY_ADMIN)
def account_list(request):
    rows = [_describe(account) for account in managed_accounts(request.user)]
    return render(request, "staff/accounts.html", {"rows": rows, "is_admin": is_admin(request.user)})


@require_http_methods(["GET", "POST"])
@staff_required(Role.MUNICIPALITY_ADMIN)
def account_new(request):
    form = _form(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account = _save(form)
        after = _snapshot(account)
        audit.record(request, "account_create", account, municipality=(after["municipalities"] or [""])[0],
                     account=after)
        messages.success(request, f"Kontot {account.username} är skapat.")
        return redirect("staff-account", pk=account.pk)
    return render(request, "staff/account_form.html", {"form": form, "account": None},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@staff_required(Role.MUNICIPALITY_ADMIN)
def account_edit(request, pk: int):
    account = User.objects.filter(pk=pk).select_related("staff_profile").first()
    # Another municipality's account is a 404: the page does not say that it exists.
    if account is None or not may_manage(request.user, account):
        raise Http404("no such account")
    form = _form(request, account=account, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        before = _snapshot(account)
        account = _save(form, account)
        after = _snapshot(account)
        changed = {key: {"före": before[key], "efter": after[key]} for key in after if before[key] != after[key]}
        if form.cleaned_data.get("password"):
            changed["password"] = "ändrat"
        audit.record(request, "account_update", account, municipality=(after["municipalities"] or [""])[0],
                     changes=changed)
        messages.success(request, f"Kontot {account.username} är sparat.")
        return redirect("staff-account", pk=account.pk)
    return render(request, "staff/account_form.html", {"form": form, "account": account},
                  status=400 if request.method == "POST" else 200)
