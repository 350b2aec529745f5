"""The hand-off core without the running stack: office hours and holidays, routing and who
sees a ticket, opening tickets (priority, summary, wait), the staff steps' state checks, the
crisis texts, cancelling, the widget's polling endpoint and erasure.

The session's database is shared with other test modules, so every test works in a
municipality nobody else uses, with staff and tickets of its own.
"""

import datetime as dt
import re
import uuid

import pytest

from bot import crisis_lines, handoff, web_sessions
from bot.answers import Composer
from bot.content import Answer, Snapshot
from bot.i18n import translate
from bot.language import LANGUAGES, to_ascii_digits
from bot.municipalities import directory
from bot.settings import ROOT
from webapp.handoff import hours, service
from webapp.handoff.hours import SWEDISH_TIME, Schedule

# Municipalities no other test module uses, so staff and tickets here are the only ones.
LULEA, PITEA, BODEN, KALIX, HAPARANDA, GALLIVARE = "2580", "2581", "2582", "2514", "2583", "2523"


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SWEDISH_TIME)


def office_week(opens=dt.time(8), closes=dt.time(16, 30)) -> Schedule:
    return Schedule({weekday: [(opens, closes)] for weekday in range(5)})


# --- office hours ---------------------------------------------------------------------------------

def test_swedish_holidays_are_computed_for_any_year():
    assert hours.easter_sunday(2026) == dt.date(2026, 4, 5)
    assert hours.easter_sunday(2027) == dt.date(2027, 3, 28)
    closed_2026 = hours.swedish_closed_days(2026)
    assert closed_2026[dt.date(2026, 4, 3)] == "Långfredagen"
    assert closed_2026[dt.date(2026, 5, 14)] == "Kristi himmelsfärdsdag"
    assert closed_2026[dt.date(2026, 6, 19)] == "Midsommarafton"
    assert closed_2026[dt.date(2026, 10, 31)] == "Alla helgons dag"
    assert hours.swedish_closed_days(2027)[dt.date(2027, 6, 25)] == "Midsommarafton"
    assert dt.date(2026, 12, 24) in closed_2026 and dt.date(2026, 12, 23) not in closed_2026


def test_open_within_hours_and_the_next_opening_skips_evenings_weekends_and_holidays():
    week = office_week()
    assert week.is_open(at(2026, 12, 7, 10))  # a Monday
    assert not week.is_open(at(2026, 12, 7, 17))
    assert not week.is_open(at(2026, 12, 5, 10))  # a Saturday
    assert week.next_opening(at(2026, 12, 7, 17)) == at(2026, 12, 8, 8)
    assert week.next_opening(at(2026, 12, 4, 18)) == at(2026, 12, 7, 8)  # Friday evening → Monday
    # 23 December after closing: Christmas Eve, Christmas Day and Boxing Day are closed.
    assert not week.is_open(at(2026, 12, 24, 10))
    assert week.next_opening(at(2026, 12, 23, 17)) == at(2026, 12, 28, 8)
    # A closure of its own (a Holiday row) is skipped too.
    closed = Schedule(week.week, frozenset({dt.date(2026, 12, 8)}))
    assert closed.next_opening(at(2026, 12, 7, 17)) == at(2026, 12, 9, 8)
    assert Schedule().next_opening(at(2026, 12, 7, 17)) is None and not Schedule().known


def test_opening_time_is_written_with_babel_for_each_locale_afghan_months_for_dari():
    monday = at(2026, 12, 7, 8)
    assert hours.format_opening(monday, "sv") == "måndag 7 december 2026 08:00"
    arabic = hours.format_opening(monday, "ar")
    assert "ديسمبر" in arabic and "الاثنين" in arabic
    dari = hours.format_opening(monday, "fa_AF")
    assert "دسمبر" in dari and "دسامبر" not in dari  # Afghan month name, not the Iranian one
    assert "دوشنبه" in dari and "8:00" in to_ascii_digits(dari)
    assert "جنوری" in hours.format_opening(at(2027, 1, 4, 8), "fa_AF")


def test_weekly_hours_are_grouped_and_named_in_the_users_language():
    week = office_week()
    week.week[4] = [(dt.time(8), dt.time(16))]
    assert hours.format_week(week, "sv") == "måndag–torsdag 08:00–16:30; fredag 08:00–16:00"
    assert "الاثنين" in hours.format_week(week, "ar")
    assert "دوشنبه" in hours.format_week(week, "fa_AF")


# --- routing and visibility -------------------------------------------------------------------

def test_routing_prefers_staff_who_speak_the_users_language(make_staff):
    make_staff("editor", [LULEA], ["sv", "ar"])
    make_staff("editor", [LULEA], ["sv"])
    from webapp.handoff.models import Tier

    assert service.route(LULEA, "ar") == Tier.LANGUAGE
    assert service.route(LULEA, "fa_AF") == Tier.MUNICIPALITY  # staff there, none speaks Dari
    assert service.route(PITEA, "ar") == Tier.NATIONAL  # no staff in the municipality at all
    assert service.route(None, "sv") == Tier.NATIONAL
    dari_speaker, _ = make_staff("editor", [LULEA], ["sv", "fa_AF"])
    assert service.route(LULEA, "fa_AF") == Tier.LANGUAGE
    dari_speaker.is_active = False  # someone who left does not count
    dari_speaker.save()
    assert service.route(LULEA, "fa_AF") == Tier.MUNICIPALITY


def test_staff_of_another_municipality_never_see_a_ticket(make_staff):
    from webapp.handoff.models import Tier

    local, local_client = make_staff("editor", [BODEN], ["sv"])
    other, other_client = make_staff("editor", [KALIX], ["sv", "ar"])
    pool, _ = make_staff("editor", [], ["sv", "ar"], national_pool=True)
    admin, _ = make_staff(superuser=True)
    ticket = service.open_ticket(f"test-{uuid.uuid4().hex}", "eviction", "ar", BODEN, "web").ticket
    national = service.open_ticket(f"test-{uuid.uuid4().hex}", "debt", "ar", HAPARANDA, "web").ticket
    assert ticket.tier == Tier.MUNICIPALITY and national.tier == Tier.NATIONAL

    assert ticket in service.visible_tickets(local) and national not in service.visible_tickets(local)
    assert ticket not in service.visible_tickets(other) and national not in service.visible_tickets(other)
    assert national in service.visible_tickets(pool) and ticket not in service.visible_tickets(pool)
    assert {ticket, national} <= set(service.visible_tickets(admin))
    # The inbox answers as if the ticket did not exist, and the step is refused.
    assert other_client.get(f"/staff/inbox/{ticket.pk}/").status_code == 404
    assert other_client.post(f"/staff/inbox/{ticket.pk}/claim/").status_code == 404
    assert local_client.get(f"/staff/inbox/{ticket.pk}/").status_code == 200


# --- opening tickets --------------------------------------------------------------------------

def test_a_ticket_has_reason_priority_language_tier_and_a_swedish_summary(make_staff):
    from webapp.handoff.models import Priority, Reason, Status

    make_staff("editor", [GALLIVARE], ["sv"])
    sender = f"test-{uuid.uuid4().hex}"
    opened = service.open_ticket(sender, "eviction", "ar", GALLIVARE, "telegram",
                                 topics=["housing_contract", "housing_rent"], last_user_text="صاحب البيت يريد طردي")
    ticket = opened.ticket
    assert (ticket.reason, ticket.priority, ticket.language, ticket.municipality_id, ticket.channel, ticket.status) == (
        Reason.EVICTION, Priority.HIGH, "ar", GALLIVARE, "telegram", Status.WAITING)
    summary = ticket.summary
    assert summary.startswith("Vräkning eller hot från hyresvärd.")
    assert "arabiska" in summary and "Gällivare" in summary and "Telegram" in summary
    assert translate("sv", "First- and second-hand contracts") in summary and "صاحب البيت" in summary
    assert "svaret kan komma på svenska" in summary  # municipality staff, none speaks Arabic
    assert not opened.expectation.in_users_language

    # A crisis in the same conversation raises the open ticket instead of opening a second one.
    again = service.open_ticket(sender, "crisis_violence", "ar", GALLIVARE, "telegram", crisis=True).ticket
    assert again.pk == ticket.pk and again.priority == Priority.CRISIS and again.reason == Reason.CRISIS_VIOLENCE
    with pytest.raises(ValueError):
        service.open_ticket(sender, "no_such_reason", "ar", GALLIVARE)


def test_the_wait_counts_the_queue_ahead_and_then_the_median_of_recent_claims(make_staff, monkeypatch):
    from django.utils import timezone

    from webapp.content.models import Municipality
    from webapp.handoff.models import HandoffTicket, OfficeHours, Status

    monkeypatch.setenv("HANDOFF_MINUTES_PER_TICKET", "5")
    code = "2505"  # Arvidsjaur
    municipality = Municipality.objects.get(code=code)
    OfficeHours.objects.filter(municipality=municipality).delete()
    OfficeHours.objects.bulk_create(OfficeHours(municipality=municipality, weekday=d, opens=dt.time(0), closes=dt.time(23, 59))
                                    for d in range(7))
    now = timezone.now()
    if not hours.schedule_for(code).is_open(now):
        pytest.skip("a public holiday today: the office is closed all day")
    first = service.open_ticket(f"test-{uuid.uuid4().hex}", "debt", "sv", code).ticket
    second = service.open_ticket(f"test-{uuid.uuid4().hex}", "debt", "sv", code).ticket
    third = service.open_ticket(f"test-{uuid.uuid4().hex}", "requested", "sv", code)
    assert service.expected_wait_minutes(first) == 5
    assert service.expected_wait_minutes(second) == 10
    # A NORMAL ticket waits behind the two HIGH ones; the user is told so.
    assert third.expectation.minutes == 15 and third.expectation.opens_at is None

    for index in range(3):  # claims there took 20 minutes each
        HandoffTicket.objects.filter(pk=HandoffTicket.objects.create(
            sender_id=f"test-{uuid.uuid4().hex}", reason="debt", language="sv", municipality=municipality,
            tier="municipality", status=Status.CLOSED).pk).update(
            created_at=now - dt.timedelta(hours=index + 1, minutes=20), claimed_at=now - dt.timedelta(hours=index + 1))
    assert service.expected_wait_minutes(first) == 20


def test_outside_office_hours_the_user_is_told_the_next_opening(make_staff):
    from webapp.content.models import Municipality
    from webapp.handoff.models import OfficeHours

    code = "2506"  # Arjeplog
    municipality = Municipality.objects.get(code=code)
    OfficeHours.objects.filter(municipality=municipality).delete()
    tomorrow = (dt.datetime.now(SWEDISH_TIME).weekday() + 1) % 7
    OfficeHours.objects.create(municipality=municipality, weekday=tomorrow, opens=dt.time(9), closes=dt.time(12))
    opened = service.open_ticket(f"test-{uuid.uuid4().hex}", "requested", "fa_AF", code)
    expected = hours.schedule_for(code).next_opening(dt.datetime.now(SWEDISH_TIME))
    assert opened.expectation.opens_at == expected and opened.expectation.minutes is None
    reply = handoff.handoff_started(Composer("fa_AF", Snapshot()), directory().get(code), opened.expectation)
    assert hours.format_opening(expected, "fa_AF") in reply.text
    assert "لغو" in reply.text and reply.buttons == [{"title": "برگشت به دستیار", "payload": "/handoff_cancel"}]


# --- staff steps --------------------------------------------------------------------------------

def test_claim_is_once_only_and_recorded_in_the_audit_log(make_staff):
    from webapp.handoff.models import Status
    from webapp.staff.models import AuditEntry

    first, _ = make_staff("editor", [BODEN], ["sv"])
    second, _ = make_staff("editor", [BODEN], ["sv"])
    ticket = service.open_ticket(f"test-{uuid.uuid4().hex}", "requested", "sv", BODEN, "web").ticket
    service.claim(ticket, first)
    assert ticket.status == Status.CLAIMED and ticket.claimed_by == first
    with pytest.raises(service.TicketStateError):
        service.claim(ticket, second)
    entry = AuditEntry.objects.filter(action="handoff_claim", target_id=str(ticket.pk)).get()
    assert entry.user == first and entry.municipality == BODEN


def test_reply_needs_the_claim_and_nothing_is_sent_when_rasa_is_down(make_staff, monkeypatch):
    from webapp.handoff.models import HandoffDelivery, Outcome

    staff, _ = make_staff("editor", [BODEN], ["sv"])
    colleague, _ = make_staff("editor", [BODEN], ["sv"])
    ticket = service.open_ticket(f"test-{uuid.uuid4().hex}", "requested", "sv", BODEN, "web").ticket
    with pytest.raises(service.TicketStateError):
        service.reply(ticket, staff, "Hej!")  # not claimed yet
    service.claim(ticket, staff)
    with pytest.raises(service.TicketStateError):
        service.reply(ticket, colleague, "Hej!")
    with pytest.raises(ValueError):
        service.reply(ticket, staff, "   ")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(service.HandoffUnavailable):
        service.reply(ticket, staff, "Hej!")
    with pytest.raises(service.HandoffUnavailable):
        service.close(ticket, staff, Outcome.ANSWERED)
    ticket.refresh_from_db()
    assert ticket.status == "claimed" and not HandoffDelivery.objects.filter(ticket=ticket).exists()


def test_the_user_cancelling_closes_the_ticket(database):
    from webapp.handoff.models import Outcome, Status

    sender = f"test-{uuid.uuid4().hex}"
    assert service.cancel_by_user(sender) is None
    service.open_ticket(sender, "requested", "sv", BODEN, "web")
    assert service.is_handed_over(sender)
    ticket = service.cancel_by_user(sender)
    assert (ticket.status, ticket.outcome) == (Status.CLOSED, Outcome.CANCELLED_BY_USER)
    assert not service.is_handed_over(sender)


# --- what the user reads ------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("crisis, keys", sorted(crisis_lines.LINE_OF_CRISIS.items()))
def test_the_built_in_crisis_text_has_112_and_the_right_lines(language, crisis, keys):
    reply = handoff.crisis_reply(Composer(language, Snapshot()), crisis, None)
    numbers = crisis_lines.numbers()
    assert "112" in reply.text and all(numbers[key] in reply.text for key in keys)
    assert reply.text != crisis and "{" not in reply.text
    if crisis == "crisis_violence":
        assert "114 14" in reply.text and "116 006" in reply.text  # the police, and a line for men too
    if language != "sv":  # numbers isolated, so "020-50 50 50" keeps its order in right-to-left text
        assert all(f"\u2068{numbers[key]}\u2069" in reply.text for key in keys)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("crisis, keys", sorted(crisis_lines.LINE_OF_CRISIS.items()))
def test_the_shipped_crisis_texts_name_their_lines_only_as_placeholders(language, crisis, keys):
    """One place for every number: the answer files name lines as {key}, never as digits."""
    import yaml

    text = yaml.safe_load((ROOT / "data" / "content" / "answers" / f"{language}.yml").read_text(encoding="utf-8"))["answers"][crisis]
    assert "{emergency}" in text
    assert all("{%s}" % key in text for key in keys), (crisis, language)
    for number in crisis_lines.numbers().values():
        assert number not in text.replace("1177 Vårdguiden", ""), (crisis, language, number)


def test_a_number_changed_in_the_database_reaches_every_crisis_reply_in_every_language():
    snapshot = Snapshot(answers={(crisis, None, language): Answer(text, None, dt.date(2026, 12, 4))
                                 for (crisis, language), text in _shipped_crisis_texts().items()},
                        crisis_lines={"children_line": "116 999"})
    for language in LANGUAGES:
        for crisis in ("crisis_violence", "crisis_suicide"):
            text = handoff.crisis_reply(Composer(language, snapshot), crisis, None).text
            assert "116 999" in text and "116 111" not in text and "112" in text


def _shipped_crisis_texts():
    import yaml

    texts = {}
    for language in LANGUAGES:
        answers = yaml.safe_load((ROOT / "data" / "content" / "answers" / f"{language}.yml").read_text(encoding="utf-8"))["answers"]
        texts.update({(key, language): value for key, value in answers.items() if key.startswith("crisis_")})
    return texts


def test_crisis_content_is_used_and_112_is_added_if_an_edit_lost_it():
    today = dt.date(2026, 11, 23)
    snapshot = Snapshot(answers={
        ("crisis_health", None, "sv"): Answer("Ring 112 eller 1177. Text från innehållet.", None, today),
        ("crisis_health", None, "ar"): Answer("اتصل بـ ١١٧٧ للحصول على نصيحة.", None, today),
    })
    assert handoff.crisis_reply(Composer("sv", snapshot), "crisis_health", None).text == \
        "Ring 112 eller 1177. Text från innehållet."
    arabic = handoff.crisis_reply(Composer("ar", snapshot), "crisis_health", None).text
    assert "112" in arabic and arabic.endswith("اتصل بـ ١١٧٧ للحصول على نصيحة.")


@pytest.mark.parametrize("language, word", [("sv", "avbryt"), ("ar", "إلغاء"), ("fa_AF", "لغو")])
def test_the_cancel_word_is_named_in_each_language_and_recognised_alone(language, word):
    assert handoff.cancel_word(language) == word
    assert word in handoff.paused_acknowledgement(language).text
    for typed in (word, f" {word.upper()}! ", "/handoff_cancel", "Avbryt.", "الغاء"):
        assert handoff.is_cancel(typed), typed
    for sentence in ("kan jag avbryta mitt kontrakt", "jag vill avbryta sfi", "لغو قرارداد کرایه", ""):
        assert not handoff.is_cancel(sentence), sentence


@pytest.mark.parametrize("language", LANGUAGES)
def test_unclaimed_notice_gives_phone_address_and_hours_in_the_users_language(database, language):
    from webapp.handoff.models import HandoffTicket

    ticket = HandoffTicket(sender_id="x", reason="requested", language=language, municipality_id="0182", tier="national")
    text = service.unclaimed_text(ticket)
    assert "08-718 80 00" in text and "Granitvägen 15" in text  # shipped example contact of Nacka
    assert hours.format_week(hours.schedule_for("0182"), language) in text
    assert translate(language, "⚠ Example data: not yet checked against the municipality’s own web site (added {date}).")[:12] in text
    assert text.startswith(translate(language, handoff.UNCLAIMED).split("{")[0])


# --- the widget's polling endpoint ---------------------------------------------------------------

def test_widget_messages_serve_only_unguessable_widget_ids_and_messages_after_the_cursor(database):
    from django.test import Client

    from webapp.handoff.models import DeliveryKind, HandoffDelivery

    sender = f"web-{uuid.uuid4()}"
    client = Client()
    session = web_sessions.sign(sender)
    # Only the widget's own signed conversation is served (bot/web_sessions.py).
    for bad, signature in (("telegram-12345", ""), ("web-1", ""), ("", ""), ("web-../../x", ""),
                           (sender, ""), (sender, session[:-1]), ("telegram-12345", web_sessions.sign("telegram-12345"))):
        assert client.get("/widget/messages", {"sender": bad, "session": signature, "after": 0}).status_code == 403
    assert client.get("/widget/messages", {"sender": sender, "session": session, "after": "x"}).status_code == 400

    ticket = service.open_ticket(sender, "requested", "ar", BODEN, "web").ticket
    first = HandoffDelivery.objects.create(ticket=ticket, sender_id=sender, channel="web", kind=DeliveryKind.STAFF,
                                           language="ar", text="مرحبا، أنا من البلدية", staff_name="Anna")
    response = client.get("/widget/messages", {"sender": sender, "session": session, "after": 0})
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["active"] is True
    assert body["messages"] == [{"id": first.pk, "kind": "staff", "text": "مرحبا، أنا من البلدية", "buttons": [],
                                 "name": "Anna", "active": True}]
    first.refresh_from_db()
    assert first.delivered_at is not None
    assert client.get("/widget/messages", {"sender": sender, "session": session, "after": first.pk}).json()["messages"] == []
    service.cancel_by_user(sender)
    assert client.get("/widget/messages", {"sender": sender, "session": session, "after": first.pk}).json()["active"] is False


def test_erasing_a_conversation_removes_its_tickets_and_messages(database):
    from webapp.handoff.models import HandoffDelivery, HandoffTicket
    from webapp.transcripts.erase import erase_conversation

    sender = f"web-{uuid.uuid4()}"
    ticket = service.open_ticket(sender, "requested", "sv", BODEN, "web").ticket
    HandoffDelivery.objects.create(ticket=ticket, sender_id=sender, channel="web", kind="staff", language="sv", text="Hej")
    erase_conversation(sender)
    assert not HandoffTicket.objects.filter(sender_id=sender).exists()
    assert not HandoffDelivery.objects.filter(sender_id=sender).exists()


def test_seeded_contacts_are_marked_as_example_data(database):
    from webapp.handoff.models import OfficeHours, ServiceContact

    contacts = ServiceContact.objects.filter(municipality_id__in=handoff_seed_codes())
    assert contacts.count() == 10 and all(c.is_example and c.phone and c.visiting_address for c in contacts)
    assert all(OfficeHours.objects.filter(municipality_id=code).count() == 5 for code in handoff_seed_codes())


def handoff_seed_codes():
    import yaml

    from bot.settings import ROOT

    document = yaml.safe_load((ROOT / "data" / "content" / "office_hours.yml").read_text(encoding="utf-8"))
    return [str(code) for code in document["municipalities"]]


def test_no_dari_reply_uses_arabic_letters_and_no_arabic_reply_persian_ones():
    from bot.i18n import catalog

    msgids = [value for name, value in vars(handoff).items() if name.isupper() and isinstance(value, str)
              and name not in ("CANCEL_PAYLOAD", "REPEATED_FAILURE")] + list(handoff.CRISIS_FALLBACKS.values()) \
        + [handoff.WAIT_MINUTES]
    for msgid in msgids:
        assert msgid in catalog("fa_AF") and msgid in catalog("ar"), msgid
        dari, arabic = (" ".join(catalog(language)[msgid]) if isinstance(msgid, tuple) else catalog(language)[msgid]
                        for language in ("fa_AF", "ar"))
        assert not re.search("[يكة]", dari), msgid
        assert not re.search("[پچژگیک]", arabic), msgid
