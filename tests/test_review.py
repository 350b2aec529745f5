"""Transcript review for admins: the conversation list's filters and search, one conversation
with its review marks, escaping and right-to-left markup, the audit log, and who may see what.

Conversations are written into Rasa's ``events`` table the way Rasa's SQL tracker store writes
them (``webapp.transcripts.rasa_events``), then indexed by the same sync the pages call. The
database lives for the whole test session, so each test searches for a marker of its own.
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from webapp.staff.models import AuditEntry
from webapp.transcripts.models import Conversation, Tag
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.sync import sync

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def marker() -> str:
    return f"mark{uuid.uuid4().hex[:10]}"


def at(day: str, hour: int = 12) -> float:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=STOCKHOLM).timestamp()


def listed(client, **params):
    response = client.get(reverse("review-list"), params)
    assert response.status_code == 200
    return {c.sender_id for c in response.context["page"].object_list}


def fast_staff(role: str, municipalities=()):
    """A staff member without a password (``make_staff`` hashes one, about a second each)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from webapp.content.models import Municipality
    from webapp.staff.models import StaffProfile

    user = User.objects.create_user(f"{role}-{uuid.uuid4().hex[:8]}", password=None)
    if role is not None:
        profile = StaffProfile.objects.create(user=user, role=role, languages=["sv"])
        profile.municipalities.set(Municipality.objects.filter(code__in=municipalities))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture(scope="module")
def admin_client(database):
    return fast_staff("admin")[1]


@pytest.fixture(scope="module")
def corpus(database):
    """Six conversations that differ in one respect each, all carrying one marker."""
    mark = marker()
    base = FakeConversation(language="sv", municipality="0182", at=at("2025-03-10"))
    base.user(f"hur anmäler jag mig till sfi {mark}", intent="sfi_enrol", confidence=0.95)
    base.bot("Du anmäler dig hos kommunen.", topic="sfi_enrol")

    arabic = FakeConversation(language="ar", municipality="1383", channel="telegram", at=at("2025-03-12"))
    arabic.user(f"وين السكن {mark}", intent="housing_find", confidence=0.9)
    arabic.bot("ابحث عن سكن في موقع البلدية.", topic="housing_find")

    handed = FakeConversation(language="sv", municipality="0182", at=at("2025-03-14"))
    handed.user(f"jag vill prata med en människa {mark}", intent="request_human", confidence=0.97)
    handed.bot("Jag kopplar dig till en person.", action="action_request_human")
    handed.pause()
    handed.bot("Hej, jag heter Anna och arbetar på kommunen.", staff="Anna")

    fallback = FakeConversation(language="sv", municipality="0182", at=at("2025-03-16"))
    fallback.user(f"blorp xqzt {mark}")
    fallback.bot("Jag förstod inte riktigt.", action="action_clarify")

    negative = FakeConversation(language="sv", at=at("2025-03-18"))
    negative.user(f"vad kostar skolan {mark}", intent="school_cost", confidence=0.9)
    negative.bot("Skolan är gratis.", topic="school_cost")
    negative.user("det där var fel svar", intent="feedback_wrong", confidence=0.9)
    negative.bot("Tack, vi tittar på det.", action="action_feedback_wrong")

    dari = FakeConversation(language="fa_AF", municipality="0182", at=at("2025-03-20"))
    dari.user(f"مکتب اولاد کجاست {mark}", intent="school_enrol", confidence=0.88)
    dari.bot("اولاد خود را در مکتب ثبت نام کنید.", topic="school_enrol")
    sync()
    return {"mark": mark, "base": base.sender_id, "arabic": arabic.sender_id, "handed": handed.sender_id,
            "fallback": fallback.sender_id, "negative": negative.sender_id, "dari": dari.sender_id}


def test_search_finds_every_conversation_with_the_marker(admin_client, corpus):
    ids = {corpus[name] for name in ("base", "arabic", "handed", "fallback", "negative", "dari")}
    assert listed(admin_client, q=corpus["mark"]) == ids
    assert listed(admin_client, q=corpus["mark"].upper()) == ids  # case does not matter


@pytest.mark.parametrize("field, value, expected", [
    ("language", "ar", {"arabic"}),
    ("language", "fa_AF", {"dari"}),
    ("municipality", "1383", {"arabic"}),
    ("municipality", "none", {"negative"}),
    ("topic", "school_cost", {"negative"}),
    ("topic", "sfi_enrol", {"base"}),
    ("channel", "telegram", {"arabic"}),
    ("handed_over", "yes", {"handed"}),
    ("fallback", "yes", {"fallback"}),
    ("feedback", "negative", {"negative"}),
])
def test_each_filter_narrows_to_the_matching_conversations(admin_client, corpus, field, value, expected):
    assert listed(admin_client, q=corpus["mark"], **{field: value}) == {corpus[name] for name in expected}


def test_yes_no_filters_also_exclude(admin_client, corpus):
    everyone = listed(admin_client, q=corpus["mark"])
    assert listed(admin_client, q=corpus["mark"], handed_over="no") == everyone - {corpus["handed"]}
    assert listed(admin_client, q=corpus["mark"], fallback="no") == everyone - {corpus["fallback"]}


def test_date_range_includes_both_ends(admin_client, corpus):
    found = listed(admin_client, q=corpus["mark"], date_from="2025-03-12", date_to="2025-03-16")
    assert found == {corpus["arabic"], corpus["handed"], corpus["fallback"]}
    assert listed(admin_client, q=corpus["mark"], date_from="2025-03-19") == {corpus["dari"]}


def test_reviewed_and_tag_filters(admin_client, corpus):
    tag = f"tag-{corpus['mark']}"
    url = reverse("review-conversation", args=[corpus["dari"]])
    admin_client.post(url, {"do": "reviewed"})
    admin_client.post(url, {"do": "add_tag", "tag": tag})
    admin_client.post(reverse("review-conversation", args=[corpus["base"]]), {"do": "add_tag", "tag": tag})
    assert listed(admin_client, q=corpus["mark"], reviewed="yes") == {corpus["dari"]}
    assert corpus["dari"] not in listed(admin_client, q=corpus["mark"], reviewed="no")
    assert listed(admin_client, q=corpus["mark"], tag=tag) == {corpus["dari"], corpus["base"]}
    assert listed(admin_client, q=corpus["mark"], tag=tag, language="fa_AF") == {corpus["dari"]}


def test_invalid_filter_values_are_reported_not_a_server_error(admin_client, corpus):
    response = admin_client.get(reverse("review-list"), {
        "q": corpus["mark"], "language": "xx", "date_from": "2025-13-40", "municipality": "9999"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"language", "date_from", "municipality"} <= set(form.errors)
    # The valid part (the search) still applies.
    assert len(response.context["page"].object_list) == 6


def test_arabic_search_finds_other_spellings(admin_client, database):
    mark = marker()
    # Typed with tatweel and harakat, and with Persian yeh/kaf as on a Dari keyboard.
    conversation = FakeConversation(language="ar", at=at("2025-04-01"))
    conversation.user(f"كيـــفَ اسجل ابني في المدرسة {mark}", intent="school_enrol", confidence=0.9)
    conversation.bot("سجل طفلك لدى البلدية.", topic="school_enrol")
    assert listed(admin_client, q=f"كيف اسجل ابني {mark}") == {conversation.sender_id}
    assert listed(admin_client, q=f"المدرسه {mark}") == {conversation.sender_id}  # ة typed as ه
    assert listed(admin_client, q=f"نادي {mark}") == set()


def test_dari_search_finds_arabic_keyboard_letters_and_zwnj_variants(admin_client, database):
    mark = marker()
    conversation = FakeConversation(language="fa_AF", at=at("2025-04-02"))
    # Arabic yeh and kaf (ي ك) and "می خواهم" with a space; the search uses Persian letters and ZWNJ.
    conversation.user(f"مي خواهم در كورس sfi ثبت نام كنم {mark}", intent="sfi_enrol", confidence=0.9)
    conversation.bot("در کمون ثبت نام کنید.", topic="sfi_enrol")
    assert listed(admin_client, q=f"می\u200cخواهم در کورس {mark}") == {conversation.sender_id}
    assert listed(admin_client, q=f"SFI {mark}") == {conversation.sender_id}


def test_search_in_bot_replies_only_when_asked(admin_client, database):
    mark = marker()
    conversation = FakeConversation(language="sv", at=at("2025-04-03"))
    conversation.user("hej", intent="greet", confidence=0.99)
    conversation.bot(f"Hej! Fråga mig om sfi {mark}", action="action_greet")
    assert listed(admin_client, q=mark) == set()
    assert listed(admin_client, q=mark, search_in="all") == {conversation.sender_id}


def test_list_pages(admin_client, database):
    mark = marker()
    senders = set()
    for i in range(53):
        conversation = FakeConversation(language="sv", at=at("2025-05-01") + i * 60)
        conversation.user(f"fråga {i} {mark}", intent="help", confidence=0.9)
        senders.add(conversation.sender_id)
    first = admin_client.get(reverse("review-list"), {"q": mark})
    assert first.context["page"].paginator.count == 53
    page_two = admin_client.get(reverse("review-list"), {"q": mark, "page": 2})
    seen = {c.sender_id for c in first.context["page"].object_list} | {
        c.sender_id for c in page_two.context["page"].object_list}
    assert seen == senders
    assert f"q={mark}&amp;page=2" in first.content.decode()  # the pager keeps the filters
    assert admin_client.get(reverse("review-list"), {"q": mark, "page": "x"}).status_code == 200


def test_conversation_page_shows_languages_intents_actions_and_staff(admin_client, corpus):
    response = admin_client.get(reverse("review-conversation", args=[corpus["handed"]]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "request_human" in page and "0,97" in page  # intent and confidence (Swedish decimal comma)
    assert "action_request_human" in page  # the action behind the bot's reply
    assert "Personal" in page and "Anna" in page  # the hand-off message is marked as staff
    assert "Hej, jag heter Anna" in page


def test_arabic_and_dari_messages_are_marked_right_to_left(admin_client, corpus):
    page = admin_client.get(reverse("review-conversation", args=[corpus["arabic"]])).content.decode()
    assert f'dir="rtl" lang="ar">وين السكن {corpus["mark"]}</p>' in page
    page = admin_client.get(reverse("review-conversation", args=[corpus["dari"]])).content.decode()
    assert f'dir="rtl" lang="fa-AF">مکتب اولاد کجاست {corpus["mark"]}</p>' in page
    page = admin_client.get(reverse("review-conversation", args=[corpus["base"]])).content.decode()
    assert 'dir="ltr" lang="sv">hur anmäler' in page
    listing = admin_client.get(reverse("review-list"), {"q": corpus["mark"], "language": "ar"}).content.decode()
    assert f'dir="rtl" lang="ar">وين السكن {corpus["mark"]}</span>' in listing


def test_script_in_a_message_is_shown_as_text(admin_client, database):
    mark = marker()
    attack = f'<script>alert("x")</script><img src=x onerror=alert(1)> {mark}'
    conversation = FakeConversation(language="sv", at=at("2025-04-05"))
    conversation.user(attack)
    conversation.bot("Jag förstod inte riktigt.", action="action_clarify")
    url = reverse("review-conversation", args=[conversation.sender_id])
    admin_client.post(url, {"do": "add_tag", "tag": "<b>tagg</b>"})
    admin_client.post(url, {"do": "note", "note": "<script>evil()</script>"})
    for page in (admin_client.get(url).content.decode(),
                 admin_client.get(reverse("review-list"), {"q": mark}).content.decode(),
                 admin_client.get(reverse("review-unanswered"), {"date_from": "2025-04-05",
                                                                  "date_to": "2025-04-05"}).content.decode()):
        assert "<script>" not in page and "<img src=x" not in page and "<b>tagg</b>" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_review_marks_persist_and_are_audit_logged(make_staff, corpus):
    user, client = make_staff("admin", [], ["sv"])
    sender = corpus["fallback"]
    url = reverse("review-conversation", args=[sender])
    tag = f"Bostad {corpus['mark']}"

    assert client.post(url, {"do": "reviewed"}).status_code == 302
    assert client.post(url, {"do": "add_tag", "tag": f"  {tag}  "}).status_code == 302
    # The same name in other case is the same tag.
    client.post(url, {"do": "add_tag", "tag": tag.upper()})
    client.post(url, {"do": "note", "note": "Boten borde känna igen detta."})

    conversation = Conversation.objects.get(pk=sender)
    assert conversation.reviewed and conversation.reviewed_by == user
    assert list(conversation.tags.values_list("name", flat=True)) == [tag]
    assert conversation.note == "Boten borde känna igen detta."
    page = client.get(url).content.decode()
    assert tag in page and "Boten borde känna igen detta." in page and "Markera som ogranskad" in page

    client.post(url, {"do": "remove_tag", "tag": tag})
    client.post(url, {"do": "unreviewed"})
    conversation.refresh_from_db()
    assert not conversation.reviewed and conversation.tags.count() == 0
    assert Tag.objects.filter(name=tag).exists()  # kept for the filter and other conversations

    actions = list(AuditEntry.objects.filter(user=user, target_id=sender).order_by("id").values_list(
        "action", flat=True))
    assert actions == ["review_mark", "review_tag_add", "review_tag_add", "review_note", "view_transcript",
                       "review_tag_remove", "review_mark"]
    view = AuditEntry.objects.get(user=user, action="view_transcript", target_id=sender)
    assert view.target_type == "transcripts.conversation" and view.municipality == "0182"
    note = AuditEntry.objects.get(user=user, action="review_note")
    assert "Boten" not in str(note.detail)  # the note's content stays out of the log


def test_bad_review_changes_are_refused_with_a_message(admin_client, corpus):
    url = reverse("review-conversation", args=[corpus["base"]])
    for data in ({"do": "add_tag", "tag": "   "}, {"do": "remove_tag", "tag": "nope"}, {"do": "hack"},
                 {"do": "note", "note": "x" * 5001}):
        response = admin_client.post(url, data, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Conversation.objects.get(pk=corpus["base"]).note == ""


def test_review_post_needs_csrf(make_staff, corpus):
    from django.test import Client

    user, _ = make_staff("admin", [], ["sv"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("review-conversation", args=[corpus["base"]]), {"do": "reviewed"})
    assert response.status_code == 403
    assert not Conversation.objects.get(pk=corpus["base"]).reviewed


def test_unknown_conversation_is_404(admin_client, database):
    assert admin_client.get(reverse("review-conversation", args=["no-such-sender"])).status_code == 404


def test_sender_ids_with_slashes_open(admin_client, database):
    conversation = FakeConversation(f"web/{uuid.uuid4().hex[:8]}", language="sv", at=at("2025-04-06"))
    conversation.user("hej", intent="greet", confidence=0.99)
    assert admin_client.get(reverse("review-conversation", args=[conversation.sender_id])).status_code == 200


def test_privacy_links_appear_when_the_privacy_pages_exist(admin_client, corpus):
    from django.urls import NoReverseMatch

    page = admin_client.get(reverse("review-conversation", args=[corpus["base"]])).content.decode()
    try:
        export_url = reverse("privacy-export", args=[corpus["base"]])
    except NoReverseMatch:
        assert "Exportera personens samtal" not in page
    else:
        assert f'href="{export_url}"' in page


REVIEW_PAGES = [
    ("review-list", []), ("review-unanswered", []), ("review-dashboard", []),
    ("review-chart", ["per-day"]), ("review-conversation", ["any-sender"]),
]


@pytest.mark.parametrize("name, args", REVIEW_PAGES)
@pytest.mark.parametrize("role", ["editor", "publisher", None])
def test_review_pages_are_for_admins_only(database, name, args, role):
    _user, client = fast_staff(role, ["0182"])
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("name, args", REVIEW_PAGES)
def test_review_pages_send_anonymous_to_login(database, name, args):
    from django.test import Client

    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_editor_cannot_post_review_changes(make_staff, corpus):
    _user, client = make_staff("editor", ["0182"], ["sv"])
    url = reverse("review-conversation", args=[corpus["base"]])
    assert client.post(url, {"do": "reviewed"}).status_code == 403
    assert not Conversation.objects.get(pk=corpus["base"]).reviewed


def test_menu_offers_review_pages_to_admins_and_tasks_to_editors(make_staff):
    _user, admin = make_staff("admin", [], ["sv"])
    page = admin.get(reverse("staff-home")).content.decode()
    for name in ("review-list", "review-unanswered", "review-dashboard", "review-tasks"):
        assert f'href="{reverse(name)}"' in page
    _user, editor = make_staff("editor", ["0182"], ["sv"])
    page = editor.get(reverse("staff-home")).content.decode()
    assert f'href="{reverse("review-tasks")}"' in page
    assert f'href="{reverse("review-list")}"' not in page


def test_events_written_after_erasing_the_newest_conversation_are_still_indexed(admin_client, database):
    """SQLite hands the ids of deleted newest rows out again; the sync must not skip them."""
    from webapp.transcripts.erase import erase_conversation

    mark = marker()
    erased = FakeConversation(language="sv", at=at("2025-04-07"))
    erased.user(f"radera mig {mark}", intent="privacy_delete_data", confidence=0.99)
    sync()
    erase_conversation(erased.sender_id)
    later = FakeConversation(language="sv", at=at("2025-04-07", 13))
    later.user(f"en ny fråga {mark}", intent="help", confidence=0.9)
    assert listed(admin_client, q=mark) == {later.sender_id}
