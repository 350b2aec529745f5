"""/staff/facts/: the review page of staff facts against the register cache, through Django's
test client: role and municipality scoping, the rows and their links, escaping, no network."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from bot.facts.cache import DatabaseCache, cache_key

BOXHOLM, TORSBY, BENGTSFORS = "0560", "1737", "1460"  # no shipped facts; used by no other test
TODAY = dt.date.today()


@pytest.fixture
def published(database):
    """Publish staff facts in the test municipalities, cache register copies; remove both after."""
    from webapp.content.models import FactVersion, Status

    created = []

    def publish(code, name, kind="sfi_provider", key=None, source_url="https://example.org/source"):
        version = FactVersion.objects.create(
            municipality_id=code, kind=kind, key=key or f"k{uuid.uuid4().hex[:8]}", name=name,
            source_name="test", source_url=source_url, status=Status.PUBLISHED, origin="staff", is_example=False)
        created.append(version)
        return version

    yield publish
    FactVersion.objects.filter(pk__in=[v.pk for v in created]).delete()


@pytest.fixture
def register(database):
    """Cached register copies (the page reads nothing else); removed after."""
    from webapp.facts.models import CachedFacts

    cache, keys = DatabaseCache(), []

    def put(source, code, payload, ttl=3600):
        keys.append(cache_key(source, code))
        cache.put(keys[-1], payload, ttl)

    yield put
    CachedFacts.objects.filter(key__in=keys).delete()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """A page view must never fetch: any register call fails the test."""
    from bot.facts.http import RegisterClient

    def refuse(*args, **kwargs):
        raise AssertionError("the review page called the register")

    monkeypatch.setattr(RegisterClient, "get_json", refuse)


def sfi_payload(*providers, as_of="2026-11-24"):
    start = (TODAY + dt.timedelta(days=20)).isoformat()
    return {"as_of": as_of, "events": [{"id": f"e{i}", "title": "Svenska för invandrare", "provider": p,
                                        "start": start, "distance": False, "evening": False}
                                       for i, p in enumerate(providers)]}


@pytest.fixture
def boxholm(published, register):
    """Boxholm: a staff SFI provider unknown to the register, a register provider unknown to
    staff, and a school the register says has closed."""
    sfi = published(BOXHOLM, "Folkuniversitetet Boxholm", key="folkuniversitetet")
    school = published(BOXHOLM, "Gamla skolan", kind="school_placement", key="gamla")
    register("sfi_offerings", BOXHOLM, sfi_payload("Hermods AB"))
    register("school_units", BOXHOLM, {"as_of": "2026-11-20", "units": [], "inactive_units": [
        {"code": "55550001", "name": "Gamla skolan", "status": "UPPHORT"}]})
    return sfi, school


def test_editor_sees_the_disagreements_of_their_municipality_with_links(boxholm, make_staff):
    sfi, school = boxholm
    _user, client = make_staff("editor", [BOXHOLM])
    overview = client.get(reverse("facts-disagreements"))
    assert overview.status_code == 200
    text = overview.content.decode()
    assert reverse("facts-disagreements-municipality", args=[BOXHOLM]) in text
    assert "3 skillnader i 1 kommun" in text
    assert "Fakta mot registren" in text  # the menu entry

    page = client.get(reverse("facts-disagreements-municipality", args=[BOXHOLM]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "SFI-anordnaren finns inte bland registrets SFI-anordnare" in html
    assert "Registrets anordnare: Hermods AB" in html
    assert "SFI-anordnare i registret saknas i era fakta" in html
    assert "Registret anger att skolenheten inte är aktiv" in html
    assert "Skolenhet 55550001, upphörd" in html
    assert "2026-11-24" in html and "2026-11-20" in html  # each register copy's own date
    assert "Skolverket, Planerade utbildningar" in html and "Skolverket, Skolenhetsregistret" in html
    assert reverse("editor-fact", args=[BOXHOLM, "sfi_provider", "folkuniversitetet"]) in html
    assert reverse("editor-fact", args=[BOXHOLM, "school_placement", "gamla"]) in html
    assert reverse("editor-fact-new", args=[BOXHOLM]) in html  # the register provider staff lack
    assert 'href="https://utbildningsguiden.skolverket.se"' in html
    assert 'href="https://example.org/source"' in html


def test_other_municipalities_are_forbidden_and_not_listed(boxholm, published, register, make_staff):
    published(TORSBY, "Hermods", key="hermods")
    register("sfi_offerings", TORSBY, sfi_payload("Lernia"))
    torsby_page = reverse("facts-disagreements-municipality", args=[TORSBY])
    for role in ("editor", "publisher"):
        _user, client = make_staff(role, [BOXHOLM])
        assert client.get(torsby_page).status_code == 403, role
        overview = client.get(reverse("facts-disagreements")).content.decode()
        assert "Torsby" not in overview and torsby_page not in overview
    _admin, admin = make_staff("admin", [])
    assert admin.get(torsby_page).status_code == 200
    overview = admin.get(reverse("facts-disagreements")).content.decode()
    assert torsby_page in overview and reverse("facts-disagreements-municipality", args=[BOXHOLM]) in overview
    assert "kommuner har inga fakta om SFI-anordnare eller skolplacering" in overview


def test_anonymous_is_sent_to_login_and_unknown_codes_are_404(make_staff, database):
    from django.test import Client

    response = Client().get(reverse("facts-disagreements"))
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    _admin, admin = make_staff("admin", [])
    assert admin.get("/staff/facts/9999/").status_code == 404
    assert admin.get("/staff/facts/abcd/").status_code == 404


def test_editor_without_the_area_gets_no_edit_link(boxholm, make_staff):
    _user, client = make_staff("editor", [BOXHOLM], areas=["housing"])
    html = client.get(reverse("facts-disagreements-municipality", args=[BOXHOLM])).content.decode()
    assert "Ni får inte redigera detta faktum" in html
    assert reverse("editor-fact", args=[BOXHOLM, "sfi_provider", "folkuniversitetet"]) not in html
    assert reverse("editor-fact-new", args=[BOXHOLM]) not in html


def test_staff_and_register_text_is_escaped_and_only_http_links(published, register, make_staff):
    published(BENGTSFORS, "<script>alert('staff')</script>", key="xss")
    published(BENGTSFORS, "Skola <b>ett</b>", kind="school_placement", key="skola")
    register("sfi_offerings", BENGTSFORS, sfi_payload('<img src=x onerror="alert(1)">'))
    register("school_units", BENGTSFORS, {"as_of": "2026-11-20", "units": [], "inactive_units": [
        {"code": "<i>1</i>", "name": "Skola <b>ett</b>", "status": "VILANDE", "url": "javascript:alert(2)"}]})
    _user, client = make_staff("editor", [BENGTSFORS])
    html = client.get(reverse("facts-disagreements-municipality", args=[BENGTSFORS])).content.decode()
    assert "<script>alert(" not in html and "&lt;script&gt;alert(&#x27;staff&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<b>ett</b>" not in html and "Skola &lt;b&gt;ett&lt;/b&gt;" in html
    assert "<i>1</i>" not in html
    assert "javascript:" not in html


def test_missing_register_copy_and_agreement_are_said_plainly(published, register, make_staff):
    published(TORSBY, "Hermods", key="hermods-agree")
    _user, client = make_staff("editor", [TORSBY])
    page = reverse("facts-disagreements-municipality", args=[TORSBY])
    html = client.get(page).content.decode()
    assert "Ingen sparad kopia av registret (Skolverket, Planerade utbildningar)" in html
    assert "facts_refresh 1737" in html
    register("sfi_offerings", TORSBY, sfi_payload("Hermods AB"))
    html = client.get(page).content.decode()
    assert "Inga skillnader" in html and "Ingen sparad kopia" not in html
