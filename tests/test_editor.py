"""The content editor's pages (/staff/content/): roles and municipality scoping, versions,
review and publishing, diff and restore, translation state, facts, import/export, escaping.

Every test works on its own municipality × topic (the database lives for the whole session).
"""

import datetime as dt
import io
import re
import zipfile

import pytest
import yaml

from bot.content import read_published, topics
from webapp.editor import permissions

NACKA, VARBERG = "0182", "1383"


# The municipalities these tests write to (besides a few reads of Nacka and Varberg).
SCRATCH = ["0114", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "0138", "0162", "0163",
           "0184", "0186", "0187", "0188"]


@pytest.fixture
def content(database):
    from webapp.content import models

    yield models
    # Other tests of the session expect the shipped content there: remove what this test added.
    models.AnswerVersion.objects.filter(municipality_id__in=SCRATCH).exclude(origin="seed").delete()
    models.FactVersion.objects.filter(municipality_id__in=SCRATCH).exclude(origin="seed").delete()


def url_answer(code, topic):
    return f"/staff/content/{code}/answers/{topic}/"


def post_action(client, url, action, version=None, **data):
    payload = {"action": action, **data}
    if version is not None:
        payload["version"] = str(version.pk if hasattr(version, "pk") else version)
    response = client.post(url, payload)
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return response


def save(client, code, topic, **texts):
    """Save texts as the edit page's form does: with the versions the textareas started from."""
    page = client.get(url_answer(code, topic))
    assert page.status_code == 200
    html = page.content.decode()
    data = {"action": "save"}
    for name in ("source_sv", "base_sv", "base_ar", "base_fa_AF"):
        found = re.search(rf'name="{name}" value="(\d+)"', html)
        if found:
            data[name] = found.group(1)
    for language, text in texts.items():
        data[f"text_{language}"] = text
    response = client.post(url_answer(code, topic), data)
    assert response.status_code == 302, response.content[:500]
    return response


def newest(content, code, topic, language):
    return content.AnswerVersion.objects.filter(topic=topic, municipality_id=code, language=language).first()


# -- roles and scoping ----------------------------------------------------------------------------

def test_editor_of_nacka_gets_403_for_varberg_on_every_page(make_staff, content):
    _user, client = make_staff("editor", [NACKA])
    assert client.get("/staff/content/", {"m": NACKA}).status_code == 200
    forbidden_gets = [
        ("/staff/content/", {"m": VARBERG}),
        (url_answer(VARBERG, "sfi_enrol"), {}),
        (url_answer(VARBERG, "sfi_enrol") + "diff/", {}),
        (f"/staff/content/{VARBERG}/facts/sfi_provider/komvux/", {}),
        (f"/staff/content/{VARBERG}/facts/sfi_provider/komvux/diff/", {}),
        (f"/staff/content/{VARBERG}/facts/new/", {}),
        ("/staff/content/", {"m": "national"}),
        (url_answer("national", "sfi_enrol"), {}),
    ]
    for path, query in forbidden_gets:
        assert client.get(path, query).status_code == 403, path
    before = content.AnswerVersion.objects.count()
    response = client.post(url_answer(VARBERG, "sfi_enrol"), {"action": "save", "text_sv": "Nackas text i Varberg"})
    assert response.status_code == 403
    response = client.post(f"/staff/content/{VARBERG}/facts/sfi_provider/komvux/", {"action": "verified_today"})
    assert response.status_code == 403
    assert content.AnswerVersion.objects.count() == before


def test_editor_sees_only_own_municipalities_in_the_picker(make_staff):
    _user, client = make_staff("editor", [NACKA])
    html = client.get("/staff/content/").content.decode()
    assert f'value="{NACKA}"' in html
    assert f'value="{VARBERG}"' not in html and 'value="national"' not in html


def test_areas_limit_an_editor_to_their_topics(make_staff):
    _user, client = make_staff("editor", [NACKA], areas=["sfi"])
    assert client.get(url_answer(NACKA, "sfi_enrol")).status_code == 200
    assert client.get(url_answer(NACKA, "housing_queue")).status_code == 403
    assert client.get(f"/staff/content/{NACKA}/facts/housing_queue/bostadsko/").status_code == 403
    assert client.get(f"/staff/content/{NACKA}/facts/sfi_provider/komvux/").status_code == 200
    html = client.get("/staff/content/", {"m": NACKA}).content.decode()
    assert url_answer(NACKA, "sfi_enrol") in html
    assert url_answer(NACKA, "housing_queue") not in html


def test_national_texts_and_crisis_topics_are_for_admins_only(make_staff):
    editor, _ = make_staff("editor", [NACKA])
    publisher, publisher_client = make_staff("publisher", [NACKA])
    admin, admin_client = make_staff("admin")
    for user in (editor, publisher):
        assert not permissions.may_edit(user, NACKA, "crisis_violence")
        assert not permissions.may_edit(user, None, "sfi_enrol")
        assert permissions.may_edit(user, NACKA, "sfi_enrol")
    assert permissions.may_edit(admin, None, "crisis_violence") and permissions.may_publish(admin, VARBERG, "crisis_health")
    assert publisher_client.get(url_answer("national", "sfi_enrol")).status_code == 403
    assert admin_client.get(url_answer("national", "sfi_enrol")).status_code == 200
    crisis = [key for key in topics() if key.startswith("crisis_")]
    for key in crisis:  # once the crisis texts are content (topics.yml), the pages enforce it too
        assert publisher_client.get(url_answer(NACKA, key)).status_code == 403
        assert admin_client.get(url_answer(NACKA, key)).status_code == 200


def test_editor_cannot_publish_or_send_back(make_staff, content):
    editor, client = make_staff("editor", ["0114"])
    save(client, "0114", "sfi_levels", sv="Väsbys nivåer.")
    version = newest(content, "0114", "sfi_levels", "sv")
    post_action(client, url_answer("0114", "sfi_levels"), "submit", version)
    version.refresh_from_db()
    assert version.status == "review"
    for action in ("publish", "send_back", "publish_all"):
        response = client.post(url_answer("0114", "sfi_levels"), {"action": action, "version": version.pk})
        assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == "review"


def test_export_and_import_are_for_admins_only(make_staff):
    for role in ("editor", "publisher"):
        _user, client = make_staff(role, [NACKA])
        assert client.get("/staff/content/export/").status_code == 403
        assert client.get("/staff/content/import/").status_code == 403
    assert make_staff("admin")[1].get("/staff/content/import/").status_code == 200


def test_anonymous_is_sent_to_login_and_posts_need_csrf(make_staff, content):
    from django.test import Client

    response = Client().get(url_answer(NACKA, "sfi_enrol"))
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    user, _ = make_staff("editor", [NACKA])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(url_answer(NACKA, "sfi_enrol"), {"action": "save", "text_sv": "utan token"})
    assert response.status_code == 403
    assert not content.AnswerVersion.objects.filter(text="utan token").exists()


def test_unknown_topic_or_version_of_another_place_is_404(make_staff, content):
    _user, client = make_staff("publisher", [NACKA, "0117"])
    assert client.get(url_answer(NACKA, "no_such_topic")).status_code == 404
    save(client, "0117", "sfi_cost", sv="Österåkers text.")
    other_place = newest(content, "0117", "sfi_cost", "sv")
    response = client.post(url_answer(NACKA, "sfi_cost"), {"action": "submit", "version": other_place.pk})
    assert response.status_code == 404


# -- versions, review, publishing --------------------------------------------------------------------

def test_save_makes_a_draft_per_changed_language_only(make_staff, content):
    user, client = make_staff("editor", ["0120"])
    national_ar = content.AnswerVersion.objects.filter(topic="sfi_cost", municipality=None, language="ar",
                                                       status="published").first()
    save(client, "0120", "sfi_cost", sv="Värmdö: sfi är gratis.", ar=national_ar.text, fa_AF="")
    versions = content.AnswerVersion.objects.filter(topic="sfi_cost", municipality_id="0120")
    assert [(v.language, v.status, v.created_by_id) for v in versions] == [("sv", "draft", user.pk)]
    save(client, "0120", "sfi_cost", sv="Värmdö: sfi är gratis.")  # unchanged: nothing new
    assert versions.count() == 1


def test_draft_review_publish_and_history(make_staff, content):
    _editor, editor_client = make_staff("editor", ["0123"])
    publisher, publisher_client = make_staff("publisher", ["0123"])
    url = url_answer("0123", "housing_rent")
    save(editor_client, "0123", "housing_rent", sv="Järfälla: hyran första versionen.")
    first = newest(content, "0123", "housing_rent", "sv")
    post_action(editor_client, url, "submit", first)
    post_action(publisher_client, url, "publish", first)
    first.refresh_from_db()
    assert first.status == "published" and first.published_by == publisher and first.published_at

    save(editor_client, "0123", "housing_rent", sv="Järfälla: hyran andra versionen.")
    second = newest(content, "0123", "housing_rent", "sv")
    assert second.pk != first.pk and second.status == "draft"
    first.refresh_from_db()
    assert first.text == "Järfälla: hyran första versionen." and first.status == "published"  # never edited

    post_action(editor_client, url, "submit", second)
    post_action(publisher_client, url, "send_back", second, note="Skriv kortare.")
    second.refresh_from_db()
    assert second.status == "draft" and second.note == "Skriv kortare."

    html = publisher_client.get(url).content.decode()
    assert "Skriv kortare." in html and f"v{first.pk}" in html and f"v{second.pk}" in html
    assert "används av boten" in html
    snapshot = read_published()
    assert snapshot.answer("housing_rent", "0123", "sv").text == "Järfälla: hyran första versionen."


def test_publishing_an_older_version_in_review_makes_it_current(make_staff, content):
    _publisher, client = make_staff("publisher", ["0125"])
    url = url_answer("0125", "school_lunch")
    save(client, "0125", "school_lunch", sv="Ekerö: lunch A.")
    older = newest(content, "0125", "school_lunch", "sv")
    post_action(client, url, "submit", older)
    save(client, "0125", "school_lunch", sv="Ekerö: lunch B.")
    newer = newest(content, "0125", "school_lunch", "sv")
    post_action(client, url, "submit", newer)
    post_action(client, url, "publish", newer)
    post_action(client, url, "publish", older)
    assert read_published().answer("school_lunch", "0125", "sv").text == "Ekerö: lunch A."


def test_publish_only_from_review(make_staff, content):
    _publisher, client = make_staff("publisher", ["0126"])
    save(client, "0126", "school_cost", sv="Huddinge: skolan är gratis.")
    draft = newest(content, "0126", "school_cost", "sv")
    response = client.post(url_answer("0126", "school_cost"), {"action": "publish", "version": draft.pk}, follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "Skicka utkastet för granskning först" in response.content.decode()


def test_restore_copies_an_old_version_forward_as_a_draft(make_staff, content):
    user, client = make_staff("publisher", ["0127"])
    url = url_answer("0127", "school_change")
    save(client, "0127", "school_change", ar="نص بوتشيرکا الأول")
    first = newest(content, "0127", "school_change", "ar")
    save(client, "0127", "school_change", ar="نص بوتشيركا الثاني")
    post_action(client, url, "restore", first)
    restored = newest(content, "0127", "school_change", "ar")
    assert restored.pk > first.pk and restored.text == first.text and restored.status == "draft"
    assert restored.created_by == user and str(first.pk) in restored.note
    assert restored.source_version_id == first.source_version_id
    assert content.AnswerVersion.objects.filter(topic="school_change", municipality_id="0127").count() == 3


def test_diff_is_word_level_escaped_and_right_to_left(make_staff, content):
    _user, client = make_staff("editor", ["0128"])
    save(client, "0128", "school_preschool", ar="سجل طفلك في الروضة مبكرا")
    old = newest(content, "0128", "school_preschool", "ar")
    save(client, "0128", "school_preschool", ar="سجل طفلك في الروضة <script>alert(1)</script> مبكرا")
    new = newest(content, "0128", "school_preschool", "ar")
    response = client.get(url_answer("0128", "school_preschool") + "diff/", {"a": new.pk, "b": old.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="editor-diff" dir="rtl" lang="ar">' in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; </ins>" in html
    assert "<script>alert(1)" not in html
    assert "<span>سجل طفلك في الروضة </span>" in html  # unchanged words stay whole


def test_diff_refuses_versions_of_other_topics(make_staff, content):
    _user, client = make_staff("editor", ["0136"])
    save(client, "0136", "school_enrol", sv="Haninge skola.")
    save(client, "0136", "sfi_enrol", sv="Haninge sfi.")
    a = newest(content, "0136", "school_enrol", "sv")
    b = newest(content, "0136", "sfi_enrol", "sv")
    assert client.get(url_answer("0136", "school_enrol") + "diff/", {"a": a.pk, "b": b.pk}).status_code == 404


def test_word_diff_segments():
    from webapp.editor.diff import word_diff

    segments = word_diff("Anmäl dig hos komvux.", "Anmäl dig hos Nackas komvux i dag.")
    assert [(s.op, s.text) for s in segments] == [
        ("same", "Anmäl dig hos "), ("added", "Nackas "), ("same", "komvux"), ("added", " i dag"), ("same", ".")]
    dari = word_diff("می‌خواهم در مکتب", "می‌خواهم در کورس")
    assert ("removed", "مکتب") in [(s.op, s.text) for s in dari]


# -- translation state ----------------------------------------------------------------------------

def test_new_swedish_text_outdates_the_translations_until_translated_anew(make_staff, content):
    _user, client = make_staff("publisher", ["0138"])
    url = url_answer("0138", "housing_allowance")
    save(client, "0138", "housing_allowance", sv="Tyresö: bostadsbidrag v1.", ar="تيريسو: دعم السكن ١",
         fa_AF="تیریسو: کمک پول کرایه ۱")
    post_action(client, url, "submit_all")
    post_action(client, url, "publish_all")
    sv1 = newest(content, "0138", "housing_allowance", "sv")
    ar1 = newest(content, "0138", "housing_allowance", "ar")
    assert ar1.source_version == sv1 and ar1.status == "published"
    assert "föråldrad" not in client.get("/staff/content/", {"m": "0138"}).content.decode()

    save(client, "0138", "housing_allowance", sv="Tyresö: bostadsbidrag v2.")
    sv2 = newest(content, "0138", "housing_allowance", "sv")
    post_action(client, url, "submit", sv2)
    post_action(client, url, "publish", sv2)
    listing = client.get("/staff/content/", {"m": "0138"}).content.decode()
    row = listing[listing.index(url):].split("</tr>")[0]
    assert row.count("föråldrad") == 2  # Arabic and Dari
    assert "Den svenska texten har publicerats på nytt" in client.get(url).content.decode()

    # Arabic translated from the new Swedish text: up to date; Dari still outdated.
    save(client, "0138", "housing_allowance", ar="تيريسو: دعم السكن ٢")
    ar2 = newest(content, "0138", "housing_allowance", "ar")
    assert ar2.source_version == sv2
    assert f"Version {ar2.pk} bygger på den nya svenska texten" in client.get(url).content.decode()
    post_action(client, url, "submit", ar2)
    post_action(client, url, "publish", ar2)
    row = client.get("/staff/content/", {"m": "0138"}).content.decode()
    row = row[row.index(url):].split("</tr>")[0]
    assert row.count("föråldrad") == 1


def test_confirming_a_translation_without_changes_bases_it_on_the_new_swedish(make_staff, content):
    _user, client = make_staff("publisher", ["0162"])
    url = url_answer("0162", "school_mother_tongue")
    save(client, "0162", "school_mother_tongue", sv="Danderyd v1.", ar="دانديريد")
    post_action(client, url, "submit_all")
    post_action(client, url, "publish_all")
    save(client, "0162", "school_mother_tongue", sv="Danderyd v1, rättat stavfel.")
    sv2 = newest(content, "0162", "school_mother_tongue", "sv")
    page = client.get(url).content.decode()
    data = {"action": "save", "text_sv": sv2.text, "text_ar": "دانديريد", "confirm_ar": "1"}
    for name in ("source_sv", "base_sv", "base_ar"):
        data[name] = re.search(rf'name="{name}" value="(\d+)"', page).group(1)
    assert client.post(url, data).status_code == 302
    ar2 = newest(content, "0162", "school_mother_tongue", "ar")
    assert ar2.text == "دانديريد" and ar2.source_version == sv2 and ar2.status == "draft"
    assert newest(content, "0162", "school_mother_tongue", "sv").pk == sv2.pk  # Swedish unchanged: no new row


# -- facts ------------------------------------------------------------------------------------------

def test_fact_save_verify_today_and_the_six_month_dashboard(make_staff, content):
    user, client = make_staff("publisher", ["0163"])
    response = client.post("/staff/content/0163/facts/new/", {
        "kind": "sfi_provider", "key": "komvux", "name": "Komvux Sollentuna", "url": "https://www.sollentuna.se",
        "source_name": "sollentuna.se", "source_url": "https://www.sollentuna.se",
        "notes_ar": "التسجيل عبر الإنترنت", "verified_on": "2025-01-10"})
    assert response.status_code == 302
    fact_url = "/staff/content/0163/facts/sfi_provider/komvux/"
    first = content.FactVersion.objects.get(municipality_id="0163", key="komvux")
    assert first.status == "draft" and first.notes == {"ar": "التسجيل عبر الإنترنت"}
    post_action(client, fact_url, "submit", first)
    post_action(client, fact_url, "publish", first)
    listing = client.get("/staff/content/", {"m": "0163"}).content.decode()
    dashboard = listing.split('id="stale-heading"')[1].split("</section>")[0]
    assert "Komvux Sollentuna" in dashboard  # verified in January 2025: more than six months ago

    html = client.get(fact_url).content.decode()
    assert 'dir="rtl" lang="ar"' in html and 'dir="rtl" lang="fa-AF"' in html

    post_action(client, fact_url, "verified_today")
    verified = content.FactVersion.objects.filter(municipality_id="0163", key="komvux").first()
    assert verified.pk != first.pk and verified.status == "published"  # a publisher's check goes live
    assert verified.verified_on == dt.date.today() and not verified.is_example
    assert verified.name == first.name and verified.notes == first.notes
    first.refresh_from_db()
    assert first.verified_on == dt.date(2025, 1, 10)  # the old version is untouched
    listing = client.get("/staff/content/", {"m": "0163"}).content.decode()
    assert "stale-heading" not in listing or "Komvux Sollentuna" not in listing.split('id="stale-heading"')[1]
    fact = [f for f in read_published().facts["0163"] if f.key == "komvux"][0]
    assert fact.verified_on == dt.date.today() and not fact.is_example


def test_an_editors_verification_goes_to_review(make_staff, content):
    _user, client = make_staff("editor", [NACKA])
    post_action(client, f"/staff/content/{NACKA}/facts/school_placement/skolplacering/", "verified_today")
    version = content.FactVersion.objects.filter(municipality_id=NACKA, kind="school_placement").first()
    assert version.status == "review" and version.verified_on == dt.date.today()
    version.delete()


def test_fact_edit_validates_and_versions(make_staff, content):
    _user, client = make_staff("editor", ["0184"])
    client.post("/staff/content/0184/facts/new/", {"kind": "housing_queue", "key": "ko", "name": "Solna kö",
                                                  "source_name": "solna.se"})
    url = "/staff/content/0184/facts/housing_queue/ko/"
    response = client.post(url, {"action": "save", "name": "", "source_name": "solna.se", "url": "inte en länk"})
    assert response.status_code == 400
    assert content.FactVersion.objects.filter(municipality_id="0184").count() == 1
    response = client.post(url, {"action": "save", "name": "Solna bostadskö", "source_name": "solna.se",
                                 "phone": "08-123 456"})
    assert response.status_code == 302
    versions = list(content.FactVersion.objects.filter(municipality_id="0184").order_by("id"))
    assert [v.name for v in versions] == ["Solna kö", "Solna bostadskö"]
    diff = client.get(url + "diff/", {"a": versions[0].pk, "b": versions[1].pk}).content.decode()
    assert "<ins>Solna bostadskö</ins>" in diff or "<ins>bostadskö</ins>" in diff
    duplicate = client.post("/staff/content/0184/facts/new/", {"kind": "housing_queue", "key": "ko", "name": "X",
                                                              "source_name": "x"})
    assert duplicate.status_code == 400 and "finns redan" in duplicate.content.decode()


# -- audit ------------------------------------------------------------------------------------------

def test_every_change_is_audited(make_staff, content):
    from webapp.staff.models import AuditEntry

    user, client = make_staff("publisher", ["0186"])
    url = url_answer("0186", "sfi_with_work")
    save(client, "0186", "sfi_with_work", sv="Lidingö: sfi och jobb.")
    version = newest(content, "0186", "sfi_with_work", "sv")
    post_action(client, url, "submit", version)
    post_action(client, url, "publish", version)
    post_action(client, url, "restore", version)
    actions = list(AuditEntry.objects.filter(user=user).order_by("id").values_list("action", "municipality"))
    assert actions == [("content_save", "0186"), ("content_submit", "0186"), ("content_publish", "0186"),
                       ("content_restore", "0186")]
    entry = AuditEntry.objects.filter(user=user, action="content_publish").get()
    assert entry.target_id == str(version.pk) and entry.detail["topic"] == "sfi_with_work"


# -- export and import --------------------------------------------------------------------------------

def _published_state(content):
    from webapp.content.yaml_io import current_answers, current_facts
    from webapp.editor.workflow import fact_values

    answers = {key: v.text for key, v in current_answers().items()}
    facts = {key: fact_values(v) for key, v in current_facts().items()}
    return answers, facts


def test_export_import_round_trip_restores_the_published_content(make_staff, content, tmp_path):
    from django.core.management import call_command

    _user, client = make_staff("publisher", ["0187"])
    save(client, "0187", "sfi_enrol", sv="Vaxholm: anmäl dig.\n\n• punkt ett\n• punkt två", ar="فاكسهولم: سجل")
    post_action(client, url_answer("0187", "sfi_enrol"), "submit_all")
    post_action(client, url_answer("0187", "sfi_enrol"), "publish_all")
    call_command("content_export", str(tmp_path))
    exported = _published_state(content)
    sv_document = (tmp_path / "answers" / "sv.yml").read_text(encoding="utf-8")
    assert "municipalities:" in sv_document and '"0187":' in sv_document and "sfi_enrol: |" in sv_document

    # Importing what is published adds nothing.
    count = content.AnswerVersion.objects.count() + content.FactVersion.objects.count()
    call_command("content_import", str(tmp_path))
    assert content.AnswerVersion.objects.count() + content.FactVersion.objects.count() == count

    # Change something, then import the export: the exported state is back, as new versions.
    save(client, "0187", "sfi_enrol", sv="Vaxholm: ändrad text.")
    changed = newest(content, "0187", "sfi_enrol", "sv")
    post_action(client, url_answer("0187", "sfi_enrol"), "submit", changed)
    post_action(client, url_answer("0187", "sfi_enrol"), "publish", changed)
    assert _published_state(content) != exported
    call_command("content_import", str(tmp_path))
    assert _published_state(content) == exported
    changed.refresh_from_db()
    assert changed.text == "Vaxholm: ändrad text."  # the old row is kept as it was
    restored = newest(content, "0187", "sfi_enrol", "sv")
    assert restored.origin == "import" and restored.pk > changed.pk


def test_the_export_is_loadable_as_seed_data(database, tmp_path):
    from django.core.management import call_command

    call_command("content_export", str(tmp_path))
    for language in ("sv", "ar", "fa_AF"):
        document = yaml.safe_load((tmp_path / "answers" / f"{language}.yml").read_text(encoding="utf-8"))
        assert document["language"] == language and set(topics()) <= set(document["answers"])
    facts = yaml.safe_load((tmp_path / "facts.yml").read_text(encoding="utf-8"))
    assert {"kind", "key", "name", "source_name", "is_example"} <= set(facts["facts"]["0182"][0])
    call_command("load_content", content_dir=tmp_path)  # the seed loader reads it


def test_upload_import_in_the_ui(make_staff, content):
    admin, client = make_staff("admin")
    response = client.get("/staff/content/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["answers/ar.yml", "answers/fa_AF.yml", "answers/sv.yml", "facts.yml"]
    document = yaml.safe_load(archive.read("answers/sv.yml").decode())
    document["answers"]["sfi_cost"] = "Importerad nationell text om kostnaden."
    upload = io.BytesIO(yaml.safe_dump(document, allow_unicode=True).encode())
    upload.name = "sv.yml"
    response = client.post("/staff/content/import/", {"file": upload, "as_drafts": "on"})
    assert response.status_code == 302
    draft = content.AnswerVersion.objects.filter(topic="sfi_cost", municipality=None, language="sv").first()
    assert draft.text == "Importerad nationell text om kostnaden." and draft.status == "draft"
    assert draft.origin == "import" and draft.created_by == admin
    draft.delete()
    from webapp.staff.models import AuditEntry

    assert AuditEntry.objects.filter(user=admin, action="content_export").exists()
    imported = AuditEntry.objects.get(user=admin, action="content_import")
    assert imported.detail["answers"] == 1 and imported.detail["as_drafts"] is True

    bad = io.BytesIO(b"language: sv\nanswers:\n  no_such_topic: text\n")
    bad.name = "bad.yml"
    response = client.post("/staff/content/import/", {"file": bad})
    assert response.status_code == 400 and "okänt ämne" in response.content.decode()


# -- escaping ---------------------------------------------------------------------------------------

XSS = "<script>alert(1)</script>"


def test_content_with_script_is_escaped_in_list_edit_and_history(make_staff, content):
    _user, client = make_staff("editor", ["0188"])
    save(client, "0188", "housing_find", sv=f"Norrtälje {XSS}", ar=f"نورتاليه {XSS}")
    client.post("/staff/content/0188/facts/new/", {"kind": "housing_queue", "key": "xss", "name": f"Kö {XSS}",
                                                  "source_name": XSS})
    for path, query in [(url_answer("0188", "housing_find"), {}), ("/staff/content/", {"m": "0188"}),
                        ("/staff/content/0188/facts/housing_queue/xss/", {})]:
        html = client.get(path, query).content.decode()
        assert "<script>alert(1)" not in html, path
    html = client.get(url_answer("0188", "housing_find")).content.decode()
    assert "Norrtälje &lt;script&gt;alert(1)&lt;/script&gt;" in html
    listing = client.get("/staff/content/", {"m": "0188"}).content.decode()
    assert "Kö &lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_edit_page_marks_right_to_left_fields(make_staff):
    _user, client = make_staff("editor", [NACKA])
    html = client.get(url_answer(NACKA, "sfi_enrol")).content.decode()
    assert re.search(r'<textarea id="text-sv" name="text_sv" dir="ltr" lang="sv"', html)
    assert re.search(r'<textarea id="text-ar" name="text_ar" dir="rtl" lang="ar"', html)
    assert re.search(r'<textarea id="text-fa_AF" name="text_fa_AF" dir="rtl" lang="fa-AF"', html)
    assert html.index('id="heading-sv"') < html.index('id="heading-ar"') < html.index('id="heading-fa_AF"')
    assert "<script>" not in html.replace('<script src="/static/editor/editor.js" defer></script>', "")
