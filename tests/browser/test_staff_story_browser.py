"""The staff app's whole story (issue 4, "Done when") in a real browser against the real stack.

An admin made the documented non-interactive way (``manage.py createsuperuser --noinput`` with
``DJANGO_SUPERUSER_*`` in the environment) signs in to Django's admin and adds an editor for
Nacka who writes Arabic; the editor signs in at /staff/login/, changes Nacka's Arabic answer on
who may start SFI and submits it; a publisher publishes it; an Arabic-speaking newcomer asks
the bot, with their personnummer in the message, and gets the new text seconds later. The admin
finds that conversation in the review list by language, municipality and topic, sees the
personnummer masked, tags the conversation and erases it: it is gone from the list and from Rasa.

Every step goes through the pages' own forms, as a person would; the database is only read to
check results. No page may log a script error or a refused resource (the staff pages' Content
Security Policy forbids inline code, so a mistake there shows up here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_handoff_browser import STAFF_PASSWORD, db, sign_in
from tests.helpers import RestClient, text_of
from webapp.content.models import AnswerVersion
from webapp.transcripts.labels import intent_label

ROOT = Path(__file__).resolve().parents[2]
NACKA = "0182"
TOPIC = "sfi_requirements"
ADMIN_PASSWORD = "Kommunens-admin-2026!"
# "In Nacka you can start SFI if you are registered in Nacka's population register and are at
# least 16. Register with Nacka's adult education on nacka.se." Marked as the editor's, so no
# seed text can pass for it.
NEW_ARABIC = ("في ناكا يمكنك أن تبدأ دروس sfi إذا كنت مسجلا في سجل السكان في ناكا (folkbokförd) "
              "وعمرك ١٦ سنة على الأقل. سجّل لدى تعليم الكبار في ناكا (Nacka vuxenutbildning) على nacka.se. "
              "(نص جديد من محرر ناكا)")
PERSONAL_NUMBER = "19900312-1234"
# "I have a personal number, 19900312-1234. Can I start SFI?"
QUESTION = f"عندي رقم شخصي {PERSONAL_NUMBER}، هل أستطيع أن أبدأ sfi؟"
# The number as it might show if redaction failed anywhere: as typed, short form, without dash.
RAW_FORMS = (PERSONAL_NUMBER, "900312-1234", "199003121234", "9003121234")
ANSWER_TIMEOUT_S = 5  # published content reaches the bot within ~2 s (CONTENT_REFRESH_SECONDS)


def is_problem(message) -> bool:
    """A console message that means something on the page failed. Chromium's own request for
    /favicon.ico (Django's admin pages name no icon, the app serves none) is not the page's."""
    if message.location.get("url", "").endswith("/favicon.ico"):
        return False
    return message.type == "error" or "Content Security Policy" in message.text


@pytest.fixture
def open_page(chromium):
    """A fresh signed-out profile whose script errors, console errors (refused scripts or
    styles, failed loads) and CSP violations end up in ``page.problems``."""
    contexts = []

    def new_page():
        context = chromium.new_context(viewport=DESKTOP)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on("console", lambda message: page.problems.append(
            f"console {message.type} on {page.url}: {message.text} ({message.location.get('url')})")
            if is_problem(message) else None)
        return page

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def nacka_topic_cleanup():
    """Nacka's own texts for the topic exist only during the test (other tests expect the
    national ones)."""
    yield
    db(lambda: AnswerVersion.objects.filter(topic=TOPIC, municipality_id=NACKA).delete())


def create_superuser(username: str) -> None:
    """The documented non-interactive form, against the test session's database (the
    environment carries its DATABASE_URL)."""
    env = {**os.environ, "DJANGO_SUPERUSER_USERNAME": username, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
           "DJANGO_SUPERUSER_EMAIL": f"{username}@nacka.example"}
    result = subprocess.run([sys.executable, "manage.py", "createsuperuser", "--noinput"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Superuser created successfully." in result.stdout


def admin_sign_in(page, web_url: str, username: str) -> None:
    """Django admin's own login form."""
    page.goto(web_url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(web_url + "/admin/")


def admin_adds_editor(page, web_url: str, username: str) -> None:
    """User add form, then the staff profile inline on the user's change page: editor, Nacka,
    Arabic."""
    page.goto(web_url + "/admin/auth/user/add/")
    # The password the other browser tests' sign_in types, so the editor signs in with it too.
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password1]").fill(STAFF_PASSWORD)
    page.locator("input[name=password2]").fill(STAFF_PASSWORD)
    page.locator("input[name=_continue]").click()  # "save and continue editing"
    expect(page).to_have_url(re.compile(r"/admin/auth/user/\d+/change/$"))
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.locator("input[name=first_name]").fill("Amal")
    page.locator("input[name=last_name]").fill("Haddad")
    inline = "#id_staff_profile-0-"
    page.locator(inline + "role").select_option("editor")
    # The municipalities widget (filter_horizontal): filter, pick Nacka, move it to "chosen".
    page.locator(inline + "municipalities_input").fill("Nacka")
    page.locator(inline + "municipalities_from").select_option(NACKA)
    page.locator(inline + "municipalities_add").click()
    chosen = page.locator(inline + "municipalities_to option")
    expect(chosen).to_have_count(1)
    expect(chosen).to_have_attribute("value", NACKA)
    # Languages are checkboxes with the languages' Swedish names (no JSON to type).
    page.get_by_role("checkbox", name="Arabiska").check()
    page.locator("input[name=_save]").click()
    expect(page).to_have_url(web_url + "/admin/auth/user/")
    expect(page.locator(".messagelist .success")).to_contain_text(username)
    expect(page.locator("#result_list tr", has_text=username)).to_contain_text("Redaktör")


def ask_until_answered(chat: RestClient, sender: str) -> None:
    """The newcomer asks; published content is reloaded by the bot within seconds."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while NEW_ARABIC not in (answer := text_of(chat.send(sender, QUESTION, metadata={"language": "ar",
                                                                                      "municipality": NACKA}))):
        assert time.monotonic() < deadline, (
            f"the published Arabic text did not reach the bot within {ANSWER_TIMEOUT_S} s; it answered "
            f"{answer!r} (intent {chat.tracker(sender)['latest_message']['intent']})")
        time.sleep(0.3)


def test_admin_adds_an_editor_whose_published_answer_the_bot_gives_and_the_admin_reviews_and_erases(
        open_page, web_url, rasa_url, make_staff, nacka_topic_cleanup):
    started = time.monotonic()
    suffix = uuid.uuid4().hex[:6]
    admin_name, editor_name = f"admin-{suffix}", f"amal.haddad-{suffix}"
    create_superuser(admin_name)

    # The admin adds the editor in Django's admin.
    admin = open_page()
    admin_sign_in(admin, web_url, admin_name)
    admin_adds_editor(admin, web_url, editor_name)
    profile = db(lambda: User.objects.select_related("staff_profile").get(username=editor_name).staff_profile)
    assert (profile.role, profile.languages) == ("editor", ["ar"])
    assert db(lambda: list(profile.municipalities.values_list("code", flat=True))) == [NACKA]

    # The editor changes Nacka's Arabic answer and submits it for review.
    topic_url = f"/staff/content/{NACKA}/answers/{TOPIC}/"
    editor = open_page()
    sign_in(editor, web_url, editor_name, f"/staff/content/?m={NACKA}")
    editor.locator(f'a[href="{topic_url}"]').first.click()
    expect(editor).to_have_url(web_url + topic_url)
    arabic = editor.locator("#text-ar")
    expect(arabic).to_have_attribute("dir", "rtl")
    arabic.fill(NEW_ARABIC)
    editor.get_by_role("button", name="Spara utkast").click()
    expect(editor.locator(".messages")).to_contain_text("Sparat som utkast: Arabiska")
    editor.get_by_role("button", name="Skicka för granskning").click()
    expect(editor.locator(".messages")).to_contain_text("Skickad för granskning.")
    expect(editor.get_by_role("button", name="Publicera", exact=True)).to_have_count(0)

    # A publisher of Nacka publishes it.
    publisher_user, _ = db(make_staff, "publisher", [NACKA], ["ar", "sv"])
    publisher = open_page()
    sign_in(publisher, web_url, publisher_user.get_username(), topic_url)
    expect(publisher.locator(".editor-pending")).to_contain_text("granskas")
    publisher.get_by_role("button", name="Publicera", exact=True).click()
    expect(publisher.locator(".messages")).to_contain_text("Publicerad.")

    # A newcomer asks in Arabic, personnummer included, and gets the new text.
    chat = RestClient(rasa_url)
    sender = chat.new_sender()
    ask_until_answered(chat, sender)
    said = [e["text"] for e in chat.tracker(sender)["events"] if e["event"] == "user"]
    assert said and all("[personnummer]" in text and PERSONAL_NUMBER not in text for text in said), said

    # The admin finds the conversation by language, municipality and topic.
    admin.goto(web_url + "/staff/review/")
    admin.locator("select[name=language]").select_option("ar")
    admin.locator("select[name=municipality]").select_option(NACKA)
    admin.locator("select[name=topic]").select_option(TOPIC)
    admin.get_by_role("button", name="Filtrera").click()
    expect(admin).to_have_url(re.compile(re.escape(urlencode({"language": "ar", "municipality": NACKA,
                                                              "topic": TOPIC}))))
    filtered_url = admin.url
    rows = admin.locator("table.conversations tbody tr")
    expect(rows.first).to_be_visible()
    topic_name = intent_label(TOPIC)  # staff read the topic's Swedish name, not its key
    for row_text in rows.all_inner_texts():  # every row the filters let through fits them
        assert "Arabiska" in row_text and "Nacka" in row_text and topic_name in row_text, row_text
    row = rows.filter(has=admin.locator(f'a[href="/staff/review/conversation/{sender}/"]'))
    expect(row).to_have_count(1)
    expect(row.locator(".preview")).to_contain_text("[personnummer]")
    expect(row.locator(".preview")).to_have_attribute("dir", "rtl")

    # Opened: the personnummer is masked, nowhere on the page in any form.
    row.get_by_role("link").first.click()
    expect(admin).to_have_url(f"{web_url}/staff/review/conversation/{sender}/")
    transcript = admin.locator(".messages-list")
    expect(transcript.locator(".msg.user").first).to_contain_text("[personnummer]")
    expect(transcript.locator(".msg.bot").last).to_contain_text("Nacka vuxenutbildning")
    page_text = admin.content()
    for form in RAW_FORMS:
        assert form not in page_text, f"the personnummer shows on the review page as {form!r}"

    # A tag.
    tag = f"ny sfi-text {suffix}"
    admin.get_by_label("Lägg till tagg").fill(tag)
    admin.get_by_role("button", name="Lägg till", exact=True).click()
    expect(admin.locator(".messages")).to_contain_text(f"Taggen ”{tag}” lades till.")
    expect(admin.locator("ul.tags .badge.tag")).to_have_text([tag])

    # Erased through the conversation page's link and the confirmation form.
    admin.get_by_role("link", name="Radera personens samtal").click()
    expect(admin).to_have_url(re.compile("/staff/privacy/erase/"))
    admin.get_by_label("Jag förstår att samtalet raderas för gott.").check()
    admin.get_by_role("button", name="Radera samtalet").click()
    expect(admin).to_have_url(web_url + "/staff/privacy/")
    expect(admin.locator(".messages")).to_contain_text("Samtalet är raderat")

    # Gone from the review list (same filters) and from Rasa's tracker.
    admin.goto(filtered_url)
    expect(admin.locator("p[role=status]")).to_contain_text("matchar filtren")
    expect(admin.locator(f'a[href="/staff/review/conversation/{sender}/"]')).to_have_count(0)
    # Asked for the tracker, Rasa opens a new, empty session (session start, listen): nothing of
    # what was said, no slot, no user or bot event survives.
    events = chat.tracker(sender)["events"]
    assert [(e["event"], e.get("name")) for e in events if e["event"] != "session_started"] in (
        [], [("action", "action_session_start"), ("action", "action_listen")]), events
    for page in (admin, editor, publisher):
        assert page.problems == [], page.problems
    # Checked last: the browser logs the 404 as a failed load.
    assert admin.goto(f"{web_url}/staff/review/conversation/{sender}/").status == 404
    assert time.monotonic() - started < 90, "the story should stay well under 90 s"
