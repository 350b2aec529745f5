"""Staff work without friction (issue 17, "Done when"), in real Chromium against the real stack:

* a filtered inbox with 100 tickets: filters, paging, crisis on top, search; a coordinator gives
  an Arabic ticket to an Arabic-speaking colleague, who keeps a canned Arabic reply and sends it:
  it reaches the conversation in Rasa;
* a publisher's start page lists what waits for review; the side-by-side review of a draft;
* a municipality admin creates a Dari-speaking editor for their municipality, ticking boxes;
* a transcript shows the language the user picked as they saw it, each line with its own
  direction, and no wrong-answer tag for impatience while waiting for a person;
* a Swedish 403 page with a way back.

Every step goes through the pages' own forms; the database is read to check results (and
written only to set the scene: 100 tickets, accounts). No page may log a script error or a
Content Security Policy violation.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.test_handoff_browser import db, sign_in
from tests.browser.test_staff_story_browser import open_page  # noqa: F401  (fixture)
from tests.helpers import RestClient
from webapp.content.models import AnswerVersion
from webapp.handoff.models import CannedReply, HandoffTicket, Priority, Reason, Tier
from webapp.staff.models import AuditEntry
from webapp.transcripts.rasa_events import FakeConversation

# Lidingö: no other test puts tickets there, so the inbox holds exactly this test's 100.
LIDINGO = "0186"
ASK_FOR_A_PERSON_AR = "أريد التحدث مع موظف"
# "You can ask for an interpreter free of charge for your meeting with the municipality (kommunen).
# Tell us which language you speak."
CANNED_ARABIC = "يمكنك أن تطلب مترجماً مجاناً لموعدك مع البلدية (kommunen). أخبرنا بلغتك."
DARI_QUESTION = "چطور اولاد خود را در مکتب ثبت نام کنم؟"


def no_problems(*pages, refused_documents=()) -> None:
    """No script errors or CSP violations; ``refused_documents`` are pages a test opened expecting
    a 403 or 404, which Chromium reports as a failed load of that document."""
    for page in pages:
        problems = [p for p in page.problems
                    if not ("Failed to load resource" in p and any(p.endswith(f"{url})") for url in refused_documents))]
        assert problems == [], problems


@pytest.fixture
def lidingo_tickets():
    """100 open tickets in Lidingö (two of them Arabic crisis tickets), removed afterwards."""
    def create():
        made = []
        languages, channels = ["sv", "ar", "fa_AF"], ["web", "telegram"]
        for n in range(98):
            made.append(HandoffTicket.objects.create(
                sender_id=f"inbox100-{uuid.uuid4().hex[:10]}", reason=Reason.REQUESTED if n % 4 else Reason.DEBT,
                priority=Priority.HIGH if n % 4 == 0 else Priority.NORMAL, language=languages[n % 3],
                municipality_id=LIDINGO, channel=channels[n % 2], tier=Tier.MUNICIPALITY,
                summary=f"Ärende {n}: vill prata med en person."))
        for n in range(2):
            made.append(HandoffTicket.objects.create(
                sender_id=f"inbox100-crisis-{uuid.uuid4().hex[:8]}", reason=Reason.CRISIS_VIOLENCE,
                priority=Priority.CRISIS, language="ar", municipality_id=LIDINGO, channel="web",
                tier=Tier.MUNICIPALITY, summary="Kris."))
        return made

    made = db(create)
    yield made
    db(lambda: HandoffTicket.objects.filter(municipality_id=LIDINGO).delete())
    db(lambda: CannedReply.objects.filter(municipality_id=LIDINGO).delete())


def test_filtered_inbox_assignment_and_a_canned_arabic_reply(open_page, web_url, rasa_url, make_staff,  # noqa: F811
                                                            lidingo_tickets):
    coordinator, _ = db(make_staff, "editor", [LIDINGO], ["sv"])
    amira, _ = db(make_staff, "editor", [LIDINGO], ["sv", "ar"], display_name="Amira, Lidingö stad")
    db(make_staff, "editor", [LIDINGO], ["sv", "fa_AF"])  # cannot be given an Arabic language-tier ticket

    # A newcomer writes in Arabic and asks for a person: ticket 101, the conversation paused.
    chat = RestClient(rasa_url)
    sender = chat.new_sender()
    chat.send(sender, ASK_FOR_A_PERSON_AR, {"language": "ar", "municipality": LIDINGO})
    assert chat.tracker(sender)["paused"] is True
    ticket = db(HandoffTicket.objects.get, sender_id=sender)
    assert ticket.language == "ar" and ticket.municipality_id == LIDINGO

    page = open_page()
    sign_in(page, web_url, coordinator.username, "/staff/inbox/")
    expect(page.locator("#waiting-count")).to_have_text("101")
    expect(page.locator("#page-position")).to_have_text("Sida 1 av 4")
    # Crisis first, on every page.
    expect(page.locator("#waiting-tickets tr").nth(0)).to_have_class(re.compile("crisis"))
    expect(page.locator("#waiting-tickets tr").nth(1)).to_have_class(re.compile("crisis"))
    page.locator("#next-page").click()
    expect(page.locator("#page-position")).to_have_text("Sida 2 av 4")
    expect(page.locator("#waiting-tickets tr").nth(0)).to_have_class(re.compile("crisis"))

    # Filter: Arabic, normal priority; the crisis tickets stay on top, marked as outside the filter.
    page.get_by_label("Språk").select_option("ar")
    page.get_by_label("Prioritet").select_option(str(int(Priority.NORMAL)))
    page.get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(r"language=ar.*priority=2|priority=2.*language=ar"))
    rows = page.locator("#waiting-tickets tr")
    expect(rows.nth(0).locator(".pinned-note")).to_have_text("Kris visas alltid, även utanför filtret")
    for index in range(2, rows.count()):
        expect(rows.nth(index)).to_contain_text("arabiska")
        expect(rows.nth(index)).to_contain_text("Normal")
    # Search for the newcomer's ticket by number.
    page.get_by_label("Sök").fill(f"#{ticket.pk}")
    page.get_by_role("button", name="Visa").click()
    own_row = page.locator(f'#waiting-tickets tr[data-ticket="{ticket.pk}"]')
    expect(own_row).to_be_visible()
    expect(page.locator("#waiting-tickets tr")).to_have_count(3)  # two crisis tickets and this one

    # Give it to Amira. The ticket went to the Arabic speakers (Amira is one), so neither the
    # coordinator nor the Dari-speaking colleague is offered.
    own_row.get_by_role("link").click()
    expect(page).to_have_url(f"{web_url}/staff/inbox/{ticket.pk}/")
    options = page.locator("#assignee option")
    expect(options).to_have_count(2)  # "Välj …" and Amira
    expect(options.nth(1)).to_contain_text("Amira, Lidingö stad")
    expect(options.nth(1)).to_contain_text("arabiska")
    page.get_by_label("Ge ärendet till en kollega").select_option(str(amira.pk))
    page.get_by_role("button", name="Ge ärendet").click()
    expect(page.locator(".messages")).to_contain_text("hanteras nu av Amira, Lidingö stad")
    assert db(lambda: HandoffTicket.objects.get(pk=ticket.pk).claimed_by_id) == amira.pk

    # Amira keeps a canned Arabic reply, then finds the ticket under "mine" and sends it.
    colleague = open_page()
    sign_in(colleague, web_url, amira.username, "/staff/inbox/replies/new/")
    colleague.get_by_label("Rubrik (på svenska)").fill("Tolk vid mötet")
    colleague.get_by_role("radio", name="arabiska").check()
    colleague.get_by_label("Text").fill(CANNED_ARABIC)
    expect(colleague.get_by_label("Text")).to_have_attribute("dir", "auto")
    colleague.get_by_label("Kommun").select_option(LIDINGO)
    colleague.get_by_role("button", name="Spara").click()
    expect(colleague.locator(".messages")).to_contain_text("Tolk vid mötet")
    expect(colleague.locator(".canned-text").filter(has_text="مترجماً")).to_have_attribute("dir", "rtl")

    colleague.goto(web_url + "/staff/inbox/")
    colleague.get_by_label("Bara mina").check()
    colleague.get_by_role("button", name="Visa").click()
    mine = colleague.locator("#in-progress-tickets tr[data-ticket]")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("(du)")
    mine.get_by_role("link").click()
    canned = db(CannedReply.objects.get, title="Tolk vid mötet", municipality_id=LIDINGO)
    expect(colleague.locator(f'#canned option[value="{canned.pk}"]')).to_have_text("Tolk vid mötet (arabiska)")
    colleague.get_by_label("Färdigt svar").select_option(str(canned.pk))
    colleague.get_by_role("button", name="Fyll i svaret").click()
    expect(colleague.get_by_label("Ditt svar till användaren")).to_have_value(CANNED_ARABIC)
    colleague.get_by_role("button", name="Skicka svar").click()
    expect(colleague.locator(".messages")).to_contain_text("Svaret skickades.")

    # The reply is in the conversation (Rasa's tracker) and in the outbox, and audited as canned.
    events = chat.tracker(sender)["events"]
    assert any(e.get("event") == "bot" and e.get("text") == CANNED_ARABIC for e in events)
    assert db(lambda: ticket.deliveries.filter(text=CANNED_ARABIC).exists())
    reply = db(lambda: AuditEntry.objects.filter(action="handoff_reply", target_id=str(ticket.pk)).get())
    assert reply.username == amira.username and reply.detail.get("canned_reply")
    no_problems(page, colleague)


@pytest.fixture
def solna_texts():
    yield
    db(lambda: AnswerVersion.objects.filter(topic="sfi_cost", municipality_id="0184").delete())


def test_publisher_queue_and_side_by_side_review(open_page, web_url, make_staff, solna_texts):  # noqa: F811
    editor, _ = db(make_staff, "editor", ["0184"], ["sv", "ar"])
    publisher, _ = db(make_staff, "publisher", ["0184"], ["sv"])
    page = open_page()
    sign_in(page, web_url, editor.username, "/staff/content/0184/answers/sfi_cost/")
    page.locator("textarea[name=text_ar]").fill("دروس sfi مجانية في سولنا. أحضر بطاقة الهوية.")
    page.get_by_role("button", name="Spara utkast").click()
    page.get_by_role("button", name="Skicka för granskning").first.click()
    expect(page.locator(".messages")).to_contain_text("Skickad för granskning")

    reviewer = open_page()
    sign_in(reviewer, web_url, publisher.username, "/staff/")
    expect(reviewer.locator("#review-waiting-heading")).to_have_text("1 text väntar på din granskning")
    reviewer.locator("#review-waiting a").first.click()
    expect(reviewer).to_have_url(re.compile(r"/staff/content/review/\d+/$"))
    live, draft = reviewer.locator("#live-text"), reviewer.locator("#draft-text")
    expect(live).to_have_attribute("dir", "rtl")
    expect(draft).to_have_attribute("dir", "rtl")
    expect(draft.locator("ins").first).to_be_visible()
    expect(live.locator("del").first).to_be_visible()
    # Side by side: the two columns share a row on a desktop screen.
    live_box, draft_box = live.bounding_box(), draft.bounding_box()
    assert abs(live_box["y"] - draft_box["y"]) < 5 and draft_box["x"] > live_box["x"] + live_box["width"] - 1
    # The Swedish text it was made from is shown, and the translation is current.
    expect(reviewer.locator("#swedish-live")).to_have_attribute("lang", "sv")
    expect(reviewer.locator("#translation-current")).to_be_visible()
    reviewer.get_by_role("button", name=re.compile("^Publicera v")).click()
    expect(reviewer.locator(".messages")).to_contain_text("Publicerad")
    reviewer.goto(web_url + "/staff/")
    expect(reviewer.locator("#review-waiting-heading")).to_have_text("Inga texter väntar på din granskning")
    no_problems(page, reviewer)


def test_municipality_admin_creates_a_dari_editor_without_json(open_page, web_url, make_staff):  # noqa: F811
    manager, _ = db(make_staff, "municipality_admin", ["0182"], ["sv"])
    username = f"farid-{uuid.uuid4().hex[:6]}"
    page = open_page()
    sign_in(page, web_url, manager.username, "/staff/accounts/")
    page.get_by_role("link", name="Nytt konto").click()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Visningsnamn").fill("Farid, Nacka kommun")
    page.get_by_role("radio", name="Redaktör (skriver utkast)").check()
    expect(page.get_by_role("radio", name="Administratör")).to_have_count(0)
    page.get_by_role("checkbox", name="Dari").check()
    page.get_by_role("checkbox", name="Skola").check()
    page.get_by_role("checkbox", name="Nacka (0182)").check()
    expect(page.locator("#fieldset-municipalities input[type=checkbox]")).to_have_count(1)
    page.get_by_label("Lösenord").fill("Farids-forsta-losenord-2026")
    page.get_by_role("button", name="Skapa kontot").click()
    expect(page.locator(".messages")).to_contain_text(f"Kontot {username} är skapat")
    profile = db(lambda: User.objects.select_related("staff_profile").get(username=username).staff_profile)
    assert (profile.role, profile.languages, profile.areas) == ("editor", ["fa_AF"], ["school"])
    assert db(lambda: list(profile.municipalities.values_list("code", flat=True))) == ["0182"]
    assert db(lambda: AuditEntry.objects.filter(action="account_create", username=manager.username).exists())
    page.goto(web_url + "/staff/accounts/")
    expect(page.locator("tr", has_text=username)).to_contain_text("dari".capitalize())
    no_problems(page)


def test_transcript_shows_what_the_user_did(open_page, web_url, make_staff, widget):  # noqa: F811
    # A newcomer on the widget picks Dari in the language picker and asks in Dari.
    widget.open()
    widget.pick_language("fa_AF")
    widget.ask(DARI_QUESTION)
    sender = widget.stored_state()["sender"]
    # Another conversation, waiting for a person, where "when will you answer, this is wrong"
    # was recognised as feedback_wrong: impatience, not feedback on an answer.
    waiting = db(lambda: FakeConversation(language="ar", channel="web"))
    db(lambda: waiting.user(ASK_FOR_A_PERSON_AR, intent="request_human", confidence=0.95).pause()
       .user("متى ستجيبون؟ هذا خطأ", intent="feedback_wrong", confidence=0.92))

    admin, _ = db(make_staff, superuser=True)
    page = open_page()
    sign_in(page, web_url, admin.username, f"/staff/review/conversation/{sender}/")
    lines = page.locator(".messages-list .msg")
    opened = lines.filter(has_text="Öppnade chatten")
    expect(opened).to_have_count(1)
    picked = lines.locator(".button-label", has_text="دری")
    expect(picked).to_have_attribute("dir", "rtl")
    expect(picked).to_have_attribute("lang", "fa-AF")
    expect(lines.filter(has_text="Bytte språk till dari")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("/switch_language")
    expect(page.locator("body")).not_to_contain_text("/greet")
    question = page.locator(".messages-list p.text", has_text=DARI_QUESTION)
    expect(question).to_have_attribute("dir", "rtl")
    expect(question).to_have_attribute("lang", "fa-AF")

    page.goto(f"{web_url}/staff/review/conversation/{waiting.sender_id}/")
    expect(page.locator(".badges")).not_to_contain_text("Sa att svaret var fel")
    expect(page.locator(".badges")).to_contain_text("Lämnades till en person")
    no_problems(page)


def test_a_refused_page_is_swedish_with_a_way_back(open_page, web_url, make_staff):  # noqa: F811
    editor, _ = db(make_staff, "editor", ["0182"], ["sv"])
    page = open_page()
    sign_in(page, web_url, editor.username, "/staff/")
    response = page.goto(web_url + "/staff/privacy/")
    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har inte behörighet till den här sidan")
    expect(page.locator("nav[aria-label=Huvudmeny]")).to_be_visible()
    page.get_by_role("link", name="Till startsidan").click()
    expect(page).to_have_url(web_url + "/staff/")
    response = page.goto(web_url + "/staff/inbox/999999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    no_problems(page, refused_documents=(web_url + "/staff/privacy/", web_url + "/staff/inbox/999999999/"))
