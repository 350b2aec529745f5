"""Staff accounts without JSON: the account pages, the municipality admin role, validated codes,
Django's admin in Swedish, and the Swedish error pages of the staff app."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from webapp.staff.models import AuditEntry, StaffProfile


def _new_account(**overrides):
    data = {"username": "dari-redaktor", "display_name": "Farid, Nacka kommun", "email": "",
            "role": "editor", "languages": ["fa_AF"], "areas": ["sfi", "school"], "municipalities": ["0182"],
            "is_active": "on", "password": "ett-langt-losenord-2026"}
    data.update(overrides)
    return data


def test_municipality_admin_creates_a_dari_editor_for_their_municipality(make_staff):
    manager, client = make_staff("municipality_admin", ["0182"])
    username = f"farid-{manager.pk}"
    response = client.post("/staff/accounts/new/", _new_account(username=username))
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username=username)
    profile = account.staff_profile
    assert profile.role == "editor"
    assert profile.languages == ["fa_AF"]
    assert sorted(profile.areas) == ["school", "sfi"]
    assert list(profile.municipalities.values_list("code", flat=True)) == ["0182"]
    assert profile.display_name == "Farid, Nacka kommun"
    assert account.check_password("ett-langt-losenord-2026")
    entry = AuditEntry.objects.get(action="account_create", target_id=str(account.pk))
    assert entry.username == manager.username and entry.municipality == "0182"
    assert entry.detail["account"]["languages"] == ["fa_AF"]
    # The new account signs in and works for Nacka only.
    signed_in = Client()
    assert signed_in.post("/staff/login/", {"username": username, "password": "ett-langt-losenord-2026"}).status_code == 302
    assert "Nacka" in signed_in.get("/staff/").content.decode()


def test_the_form_shows_languages_by_name_and_only_own_municipalities(make_staff):
    _manager, client = make_staff("municipality_admin", ["0182"])
    page = client.get("/staff/accounts/new/").content.decode()
    for name in ("Svenska", "Arabiska", "Dari"):
        assert name in page
    assert 'type="checkbox" name="languages" value="fa_AF"' in page
    assert "Nacka (0182)" in page and "Varberg" not in page
    # Roles below their own only: no administrator, no municipality admin.
    assert 'value="editor"' in page and 'value="publisher"' in page
    assert 'value="admin"' not in page and 'value="municipality_admin"' not in page


@pytest.mark.parametrize("overrides, field", [
    ({"role": "admin"}, "role"),
    ({"role": "municipality_admin"}, "role"),
    ({"municipalities": ["1383"]}, "municipalities"),  # Varberg: not theirs
    ({"municipalities": []}, "municipalities"),
    ({"languages": ["dari"]}, "languages"),
    ({"areas": ["everything"]}, "areas"),
])
def test_municipality_admin_cannot_go_beyond_their_rights(make_staff, overrides, field):
    manager, client = make_staff("municipality_admin", ["0182"])
    username = f"refused-{manager.pk}-{field}"
    response = client.post("/staff/accounts/new/", _new_account(username=username, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not User.objects.filter(username=username).exists()


def test_municipality_admin_edits_own_editors_but_not_other_municipalities(make_staff):
    manager, client = make_staff("municipality_admin", ["0182"])
    own, _ = make_staff("editor", ["0182"], ["sv"])
    other, _ = make_staff("editor", ["1383"], ["ar"])
    shared, _ = make_staff("editor", ["0182", "1383"], ["ar"])
    colleague, _ = make_staff("municipality_admin", ["0182"])
    listing = client.get("/staff/accounts/").content.decode()
    assert own.username in listing
    for hidden in (other, shared, colleague):
        assert hidden.username not in listing
        assert client.get(f"/staff/accounts/{hidden.pk}/").status_code == 404
        assert client.post(f"/staff/accounts/{hidden.pk}/", _new_account(username=hidden.username)).status_code == 404
    response = client.post(f"/staff/accounts/{own.pk}/", _new_account(
        username=own.username, role="publisher", languages=["sv", "ar"], password=""))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.staff_profile.role == "publisher" and own.staff_profile.languages == ["sv", "ar"]
    assert own.check_password("test-password-123")  # empty password field keeps the old one
    entry = AuditEntry.objects.get(action="account_update", target_id=str(own.pk))
    assert entry.detail["changes"]["role"] == {"före": "editor", "efter": "publisher"}


def test_editors_and_publishers_have_no_account_pages(make_staff):
    for role in ("editor", "publisher"):
        _user, client = make_staff(role, ["0182"])
        assert client.get("/staff/accounts/").status_code == 403


def test_the_model_refuses_unknown_language_and_area_codes(make_staff):
    user, _client = make_staff("editor", ["0182"])
    profile = user.staff_profile
    profile.languages = ["dari"]
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert "dari" in str(refused.value) and "fa_AF" in str(refused.value)
    profile.languages, profile.areas = ["fa_AF"], ["bostad"]
    with pytest.raises(ValidationError):
        profile.full_clean()


def test_django_admin_uses_checkboxes_and_swedish_names(make_staff):
    from webapp.staff.forms import StaffProfileAdminForm

    form = StaffProfileAdminForm(data={"role": "editor", "languages": ["dari"], "areas": []})
    assert not form.is_valid() and "languages" in form.errors
    _admin, client = make_staff(superuser=True)
    index = client.get("/admin/").content.decode()
    assert "Municipalitys" not in index and "Office hourss" not in index
    assert "Kommuner" in index and "Öppettider" in index and "Färdiga svar" in index and "Lagringstider" in index
    assert "policies" not in index and "payloads" not in index
    user, _ = make_staff("editor", ["0182"])
    change = client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert 'type="checkbox" name="staff_profile-0-languages" value="fa_AF"' in change
    assert "Personalprofil" in change


# --- error pages --------------------------------------------------------------------------------

def test_403_is_a_swedish_page_with_a_way_back(make_staff):
    _user, client = make_staff("editor", ["0182"])
    response = client.get("/staff/privacy/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="sv">' in page
    assert "Du har inte behörighet till den här sidan" in page
    assert 'href="/staff/"' in page and "Till startsidan" in page
    assert "Forbidden" not in page


def test_404_is_a_swedish_page_with_a_way_back(make_staff):
    _user, client = make_staff("editor", ["0182"])
    response = client.get("/staff/inbox/987654321/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Sidan finns inte" in page and "Till startsidan" in page and "Not Found" not in page


def test_500_and_csrf_failure_are_swedish_pages(database):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/staff/"))
    assert response.status_code == 500
    assert "Ett tekniskt fel uppstod" in response.content.decode()
    response = Client(enforce_csrf_checks=True).post("/staff/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formuläret kunde inte skickas" in page and "Till startsidan" in page
