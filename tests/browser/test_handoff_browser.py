"""The hand-off from end to end in a real browser (Debian's Chromium via Playwright) against the
real stack: a Dari speaker on the demo page's widget writes that Migrationsverket rejected their
residence permit; a Dari-speaking staff member of Nacka (the demo page's municipality) signs in
through the login form, sees the ticket arrive in the inbox without reloading, claims it and
replies; the reply shows in the widget, marked as from a person; what the user writes meanwhile
shows on the staff member's page, again without a reload; closing the ticket gives the
conversation back to the bot, which says so and answers the next question itself.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from bot.handoff import BOT_BACK
from bot.i18n import translate
from tests.browser.conftest import DESKTOP
from tests.browser.screenshots import QUESTIONS
from tests.helpers import RestClient, assert_language
from webapp.handoff.models import HandoffTicket, Reason, Status

NACKA = "0182"
STAFF_PASSWORD = "test-password-123"  # what the make_staff fixture gives every account
# "Hello, Migrationsverket rejected my residence permit application. What do I do now?"
DARI_PERMIT_REJECTED = "سلام، اداره مهاجرت درخواست اقامت مرا رد کرد. حالا چی کار کنم؟"
# "I have the letter, but I do not understand it."
DARI_FOLLOW_UP = "نامه را دارم ولی نمی‌فهمم چی نوشته."
# From the staff member, in Dari: "Hello, I am from Nacka municipality. Please bring the letter
# from Migrationsverket to our office tomorrow, and we will read it together."
STAFF_REPLY = "سلام، من از کمون ناکا هستم. لطفاً نامه اداره مهاجرت را فردا به دفتر ما بیاورید تا با هم بخوانیم."
LIVE_TIMEOUT_MS = 15000  # a few polls of the inbox (3 s) and of the widget (3 s)
ISOLATES = re.compile("[\u2066-\u2069]")


def db(function, *args, **kwargs):
    """Run a database call outside Playwright's event loop: Django refuses ORM calls from a
    thread with a running loop (the sync API keeps one), so they go to a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def visible(text: str) -> str:
    """Text as read on screen: without the invisible direction isolates."""
    return ISOLATES.sub("", text)


def sign_in(page, web_url: str, username: str, next_path: str) -> None:
    """Through the real login form, as a person does: the protected page sends you there first."""
    page.goto(web_url + next_path)
    expect(page).to_have_url(re.compile(r"/staff/login/\?next="))
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(web_url + next_path)


def mark_document(page) -> None:
    """Set a flag that only survives as long as the page is not reloaded or left."""
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


@pytest.fixture
def staff_page(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.errors = errors
    yield page
    context.close()


def test_dari_user_on_the_widget_gets_a_person_and_then_the_bot_again(
        widget, staff_page, page_errors, web_url, rasa_url, make_staff):
    staff_user, _ = db(make_staff, "editor", [NACKA], ["fa_AF", "sv"])
    staff_user.first_name, staff_user.last_name = "Zahra", "Ahmadi"  # the name the user is shown
    db(staff_user.save)
    sign_in(staff_page, web_url, staff_user.get_username(), "/staff/inbox/")
    mark_document(staff_page)

    # The user: Dari, on Nacka's page, writes about the rejected permit.
    widget.open()
    widget.pick_language("fa_AF")
    handover = widget.ask(DARI_PERMIT_REJECTED)
    assert_language([{"text": handover}], "fa_AF")
    sender = widget.stored_state()["sender"]
    assert RestClient(rasa_url).tracker(sender)["paused"] is True
    ticket = db(HandoffTicket.objects.get, sender_id=sender)
    assert (ticket.reason, ticket.language, ticket.municipality_id, ticket.channel) == (
        Reason.RESIDENCE_PERMIT, "fa_AF", NACKA, "web")

    # The inbox shows it without a reload.
    row = staff_page.locator(f'#waiting-tickets tr[data-ticket="{ticket.pk}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert same_document(staff_page), "the ticket must appear by polling, not by reloading the page"
    expect(row).to_contain_text(Reason.RESIDENCE_PERMIT.label)
    expect(row).to_contain_text("dari")
    expect(row).to_contain_text("Nacka")
    expect(row).to_contain_text("Webbchatt")
    expect(row.locator(".language-note")).to_have_count(0)  # this staff member speaks Dari
    assert int(staff_page.locator("#waiting-count").inner_text()) >= 1
    expect(staff_page).to_have_title(re.compile(r"^\(\d+\) Inkorg"))

    # The ticket page: the user's words right-to-left, claim, reply.
    row.get_by_role("link").click()
    expect(staff_page).to_have_url(f"{web_url}/staff/inbox/{ticket.pk}/")
    asked = staff_page.locator("#history .message-user .text").filter(has_text=DARI_PERMIT_REJECTED)
    expect(asked).to_have_attribute("dir", "rtl")
    expect(asked).to_have_attribute("lang", "fa-AF")
    staff_page.get_by_role("button", name="Ta ärendet").click()
    expect(staff_page.locator(".messages")).to_contain_text(f"Du har tagit ärende #{ticket.pk}")
    reply_box = staff_page.get_by_label("Ditt svar till användaren")
    expect(reply_box).to_have_attribute("dir", "auto")
    reply_box.fill(STAFF_REPLY)
    staff_page.get_by_role("button", name="Skicka svar").click()
    expect(staff_page.locator(".messages")).to_contain_text("Svaret skickades.")
    expect(staff_page.locator("#history .message-staff .text").last).to_have_text(STAFF_REPLY)

    # The reply reaches the widget, from a person, not from the bot.
    from_person = widget.page.locator(".nw-row-staff .nw-msg")
    expect(from_person.last).to_contain_text(STAFF_REPLY, timeout=LIVE_TIMEOUT_MS)
    expect(widget.page.locator(".nw-row-staff .nw-author").last).to_contain_text("Zahra Ahmadi")

    # The user answers; the staff member's page shows it without a reload.
    mark_document(staff_page)
    before = widget.bot_messages.count()
    widget.input.fill(DARI_FOLLOW_UP)
    widget.input.press("Enter")
    widget.wait_until_delivered()
    expect(staff_page.locator("#history .message-user .text").last).to_have_text(DARI_FOLLOW_UP,
                                                                              timeout=LIVE_TIMEOUT_MS)
    assert same_document(staff_page)

    # Closing gives the conversation back to the bot, and the user is told so in Dari.
    staff_page.get_by_label("Hur slutade ärendet?").select_option("meeting")
    staff_page.get_by_role("button", name="Avsluta och lämna tillbaka till boten").click()
    expect(staff_page).to_have_url(f"{web_url}/staff/inbox/")
    expect(staff_page.locator(".messages")).to_contain_text(f"Ärende #{ticket.pk} är avslutat")
    expect(staff_page.locator(f'tr[data-ticket="{ticket.pk}"]')).to_have_count(0)
    db(ticket.refresh_from_db)
    assert (ticket.status, ticket.outcome) == (Status.CLOSED, "meeting")

    bot_back = visible(translate("fa_AF", BOT_BACK))
    widget.page.wait_for_function(
        "([expected, skip]) => Array.from(document.querySelector('#newcomer-widget').shadowRoot"
        ".querySelectorAll('.nw-row-bot .nw-msg')).slice(skip)"
        ".some(m => m.textContent.replace(/[\\u2066-\\u2069]/g, '').includes(expected))",
        arg=[bot_back, before], timeout=LIVE_TIMEOUT_MS)
    assert RestClient(rasa_url).tracker(sender)["paused"] is False

    answer = widget.ask(QUESTIONS["fa_AF"])  # the bot answers again, in Dari
    assert_language([{"text": answer}], "fa_AF")
    tracker = RestClient(rasa_url).tracker(sender)
    assert tracker["paused"] is False and tracker["latest_message"]["intent"]["name"].startswith("sfi_")
    assert page_errors == [] and staff_page.errors == []
