"""The content editor in a real browser (Debian's Chromium via Playwright) against the real
stack: an editor of Nacka changes the Arabic SFI answer through the forms, a publisher
publishes it, and the bot answers an Arabic speaker with the new text seconds later. Along the
way: right-to-left fields, the word diff, no script errors and no CSP violations (the staff
pages forbid inline code, so a mistake there would show up here).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_handoff_browser import db, sign_in
from tests.helpers import RestClient, text_of
from webapp.content.models import AnswerVersion

NACKA = "0182"
# "Register for SFI with Nacka's adult education online; bring your ID. Updated by the editor."
NEW_ARABIC = "سجّل في sfi لدى تعليم الكبار في ناكا عبر الموقع، واحضر هويتك. (نص جديد من المحرر)"


@pytest.fixture
def open_page(chromium):
    """A fresh signed-out profile, with script errors and CSP reports collected."""
    contexts = []

    def new_page():
        context = chromium.new_context(viewport=DESKTOP)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("console", lambda message: page.problems.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def nacka_arabic_sfi_enrol():
    """Nacka's own Arabic sfi_enrol text exists only during the test (other tests expect the
    national one)."""
    yield
    db(lambda: AnswerVersion.objects.filter(topic="sfi_enrol", municipality_id=NACKA).delete())


def test_editor_changes_the_arabic_sfi_answer_and_a_publisher_publishes_it(open_page, web_url, rasa_url,
                                                                            make_staff, nacka_arabic_sfi_enrol):
    editor, _ = db(make_staff, "editor", [NACKA], ["ar", "sv"])
    publisher, _ = db(make_staff, "publisher", [NACKA], ["sv"])
    topic_url = f"/staff/content/{NACKA}/answers/sfi_enrol/"

    page = open_page()
    sign_in(page, web_url, editor.get_username(), f"/staff/content/?m={NACKA}")
    page.get_by_role("link", name="Anmäl dig till SFI").click()
    expect(page).to_have_url(web_url + topic_url)
    arabic = page.locator("#text-ar")
    expect(arabic).to_have_attribute("dir", "rtl")
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator(".editor-columns").evaluate("el => getComputedStyle(el).display") == "grid"  # CSS loaded
    arabic.fill(NEW_ARABIC)
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator(".messages")).to_contain_text("Sparat som utkast: Arabiska")
    page.get_by_role("button", name="Skicka för granskning").click()
    expect(page.locator(".messages")).to_contain_text("Skickad för granskning.")
    expect(page.get_by_role("button", name="Publicera", exact=True)).to_have_count(0)  # editors cannot

    # The diff between the national text and the new one, right to left.
    national, local = db(lambda: [AnswerVersion.objects.filter(topic="sfi_enrol", language="ar", municipality_id=code,
                                                               status=status).first().pk
                                  for code, status in ((None, "published"), (NACKA, "review"))])
    page.goto(f"{web_url}{topic_url}diff/?a={national}&b={local}")
    expect(page.locator(".editor-diff")).to_have_attribute("dir", "rtl")
    expect(page.locator(".editor-diff ins").first).to_be_visible()
    assert not page.problems, page.problems

    reviewer = open_page()
    sign_in(reviewer, web_url, publisher.get_username(), topic_url)
    expect(reviewer.locator(".editor-pending")).to_contain_text("granskas")
    reviewer.get_by_role("button", name="Publicera", exact=True).click()
    expect(reviewer.locator(".messages")).to_contain_text("Publicerad.")
    assert not reviewer.problems, reviewer.problems

    chat = RestClient(rasa_url)
    sender = chat.new_sender()
    chat.send(sender, "مرحبا", metadata={"language": "ar", "municipality": NACKA})
    deadline = time.monotonic() + 5
    while NEW_ARABIC not in text_of(chat.send(sender, "/sfi_enrol")):
        assert time.monotonic() < deadline, "the published Arabic text did not reach the bot within 5 s"
        time.sleep(0.3)
