"""In a real browser: the Content Security Policy of the staff and admin pages breaks nothing
(no refused script or style), and an admin finds, exports and erases a conversation."""

import uuid

import pytest

from tests.browser.test_handoff_browser import db
from webapp.transcripts.rasa_events import FakeConversation

PASSWORD = "test-password-123"


@pytest.fixture
def csp_violations(page):
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return refused


def sign_in(page, web_url, username):
    page.goto(f"{web_url}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{web_url}/staff/")


@pytest.mark.parametrize("path", ["/admin/", "/admin/privacy/retentionpolicy/add/", "/admin/auth/user/",
                                  "/staff/privacy/", "/staff/privacy/audit/"])
def test_pages_work_under_the_content_security_policy(page, web_url, make_staff, csp_violations, page_errors, path):
    user, _ = db(make_staff, superuser=True)
    sign_in(page, web_url, user.username)
    response = page.goto(web_url + path)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert csp_violations == [] and page_errors == []


def test_admin_finds_exports_and_erases_a_conversation(page, web_url, make_staff, csp_violations):
    user, _ = db(make_staff, superuser=True)
    chat_id = str(600_000_000 + uuid.uuid4().int % 99_999_999)

    def write_conversation():
        fake = FakeConversation(f"telegram-{chat_id}", language="ar", municipality="0182", channel="telegram")
        fake.user("<script>alert(1)</script> احذف بياناتي", intent="privacy_delete_data", confidence=0.9)
        fake.bot("هل تريد أن أحذف هذه المحادثة؟", action="action_delete_my_data")

    db(write_conversation)
    sign_in(page, web_url, user.username)

    page.goto(f"{web_url}/staff/privacy/")
    page.fill("input[name=q]", chat_id)
    page.click("form[role=search] button[type=submit]")
    row = page.locator("table.privacy-results tbody tr")
    assert row.count() == 1 and f"telegram-{chat_id}" in row.inner_text()

    with page.expect_download() as download:
        row.get_by_text("Exportera (JSON)").click()
    assert download.value.suggested_filename == f"conversation-telegram-{chat_id}.json"

    row.get_by_text("Radera …").click()
    page.get_by_label("Jag förstår att samtalet raderas för gott.").check()
    page.get_by_role("button", name="Radera samtalet").click()
    page.wait_for_url(f"{web_url}/staff/privacy/")
    assert "Samtalet är raderat" in page.locator(".messages").inner_text()

    page.fill("input[name=q]", chat_id)
    page.click("form[role=search] button[type=submit]")
    page.get_by_text("Inga samtal hittades").wait_for()  # content() mid-navigation would be empty
    assert csp_violations == []
