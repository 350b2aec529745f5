"""Where the assistant hands a conversation to a person, and what the user is told about it.

Actions call ``request_handoff`` (``actions/handoff.py``: a request for a person, a situation
only a person should handle, repeated failure, a crisis after its emergency numbers). It opens
a ticket (``webapp.handoff.service.open_ticket``: routing, priority, a Swedish summary for
staff), tells the user in their language that a person will answer, roughly when, and how to go
back to the bot, and returns ``ConversationPaused`` so that Rasa stops answering until staff
close the ticket or the user cancels (``bot.channels`` handles messages while paused).

The texts of the whole hand-off live here, so that the action server, the REST channel, the
web app (staff replies, "the bot is back", contact options after an unclaimed wait) and the
Telegram worker say the same thing in the same words. Every text is a catalog string.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from bot import crisis_lines
from bot.answers import FACT_EXAMPLE, MUNICIPALITY_WEBSITE, PHONE, Composer, Reply
from bot.content import Snapshot
from bot.i18n import N_, format_date, format_number, isolate, ngettext, translate, translate_plural
from bot.language import LANGUAGES, RIGHT_TO_LEFT, clean_text
from bot.municipalities import Municipality

logger = logging.getLogger(__name__)

CANCEL_PAYLOAD = "/handoff_cancel"
# Sent with the hand-off's replies as a custom JSON message, so that a front end knows a
# person has the conversation (the web widget then polls for their messages) and when the bot
# has it back. Front ends that do not know it ignore it (the Telegram relay sends only text).
HANDOFF_ACTIVE = {"handoff": {"active": True}}
HANDOFF_ENDED = {"handoff": {"active": False}}

HANDOFF_STARTED = N_("I am passing your question to a person at {municipality}. They will answer you here in this chat.")
HANDOFF_STARTED_NO_MUNICIPALITY = N_("I am passing your question to a person. They will answer you here in this chat.")
# Said when nobody who speaks the user's language works for the municipality (routing tier).
ANSWER_MAY_BE_SWEDISH = N_("The answer may come in Swedish.")
# Plural forms: Arabic says "دقيقة", "دقيقتين", "دقائق" (3–10) and "دقيقة" (11+) after a number.
WAIT_MINUTES = ngettext("Expected wait: about {minutes} minute.", "Expected wait: about {minutes} minutes.")
# TRANSLATORS: {when} is a weekday, date and time, e.g. "Monday 7 December 2026 08:00".
CLOSED_UNTIL = N_("The office is closed now. It opens {when}, and a person will answer you then.")
# TRANSLATORS: someone asked for a person again while their earlier requests still wait.
ALREADY_WAITING = N_("Your earlier request for a person is still waiting. A person will answer it here as soon as they can, so please wait for that answer.")
WAIT_UNKNOWN = N_("A person will answer as soon as they can.")
HOW_TO_CANCEL = N_("To go back to the assistant, press the button below or write “{word}”.")
# TRANSLATORS: button that stops waiting for a person; short.
BACK_TO_ASSISTANT = N_("Back to the assistant")
# TRANSLATORS: the one word a user writes to stop waiting for a person and talk to the assistant
# again. Lower case, one word people type easily; it is also recognised when typed.
CANCEL_WORD = N_("cancel")
PAUSED_ACK = N_("Thank you. Your message has been passed on, and a person will answer here. To go back to the assistant, write “{word}”.")
BOT_BACK = N_("You are talking to the assistant again. Ask me about SFI, housing or school.")
# TRANSLATORS: shown above a message a staff member wrote (Telegram); {name} is their name.
STAFF_SAYS = N_("{name} (staff member):")
UNCLAIMED = N_("Sorry, nobody has been able to answer yet. Your question stays in the queue, and a person will answer here. You can also contact {municipality} yourself:")
UNCLAIMED_NO_MUNICIPALITY = N_("Sorry, nobody has been able to answer yet. Your question stays in the queue, and a person will answer here. You can also contact your municipality yourself; its phone number is on its web site.")
VISITING_ADDRESS = N_("Visiting address: {address}")
OPENING_HOURS = N_("Opening hours: {hours}")

# Built-in crisis texts, used only when the content (topics crisis_*) is missing. Like the
# content's crisis texts they name each line by placeholder; ``bot.crisis_lines`` fills in the
# numbers (data/content/crisis_lines.yml, editable by admins) and isolates them in Arabic and
# Dari, where "020-50 50 50" inside a right-to-left line would otherwise be shown in the wrong order.
CRISIS_FALLBACKS = {
    "crisis_violence": N_("If you or someone else is in danger right now, call {emergency}. If you are under 18, call Bris on {children_line}, free and open day and night. For women, Kvinnofridslinjen on {women_line}, free and open day and night. Anyone who has been hurt, men and older people too, can get free support from Brottsofferjouren on {victim_line}. To report a crime that is not urgent, call the police on {police}."),
    "crisis_suicide": N_("If your life is in danger right now, call {emergency}. You can talk to someone at Självmordslinjen: call {suicide_line}, open day and night. If you are under 18, you can also call Bris on {children_line}."),
    "crisis_health": N_("If it is an emergency, call {emergency} now. For health advice, call {health_line} at any time of day."),
}
EMERGENCY_REMINDER = N_("In an emergency, call {emergency}.")

# Why a conversation was handed over, by the intent that did it (``Reason`` in webapp.handoff.models).
INTENT_REASONS = {
    "request_human": "requested",
    "feedback_wrong": "wrong_answer",
    "handoff_residence_permit": "residence_permit",
    "handoff_deportation": "deportation",
    "handoff_eviction": "eviction",
    "handoff_social_services": "social_services",
    "handoff_debt": "debt",
    "handoff_discrimination": "discrimination",
    "handoff_authority_letter": "authority_letter",
    "crisis_violence": "crisis_violence",
    "crisis_suicide": "crisis_suicide",
    "crisis_health": "crisis_health",
}
REPEATED_FAILURE = "repeated_failure"

_WORD_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$", re.UNICODE)
# Other ways people say it, besides each catalog's CANCEL_WORD.
_EXTRA_CANCEL_WORDS = {"avbryt", "cancel", "stop", "stopp", "bot", "الغاء", "إلغاء", "لغو", "کنسل"}


# --- what the user is told --------------------------------------------------------------------

@dataclass(frozen=True)
class Expectation:
    """When a person will answer, as ``webapp.handoff.service`` estimates it."""

    minutes: Optional[int] = None  # within office hours: the expected wait
    opens_at: Optional[dt.datetime] = None  # outside office hours: the next opening
    # False when no staff member of the municipality speaks the user's language.
    in_users_language: bool = True


def cancel_word(language: str) -> str:
    return translate(language, CANCEL_WORD)


def _ltr(language: str, text: str) -> str:
    return isolate(text) if language in RIGHT_TO_LEFT else text


def back_button(composer: Composer) -> dict:
    return composer.button(BACK_TO_ASSISTANT, CANCEL_PAYLOAD)


def handoff_started(composer: Composer, municipality: Optional[Municipality], expectation: Expectation) -> Reply:
    """"A person will answer here", when, and how to go back to the bot."""
    language = composer.language
    if municipality is not None:
        parts = [composer.t(HANDOFF_STARTED, municipality=composer.municipality_name(municipality))]
    else:
        parts = [composer.t(HANDOFF_STARTED_NO_MUNICIPALITY)]
    if not expectation.in_users_language and language != "sv":
        parts.append(composer.t(ANSWER_MAY_BE_SWEDISH))
    if expectation.opens_at is not None:
        from webapp.handoff.hours import format_opening  # Babel only; no database

        parts.append(composer.t(CLOSED_UNTIL, when=format_opening(expectation.opens_at, language)))
    elif expectation.minutes is not None:
        parts.append(translate_plural(language, WAIT_MINUTES, expectation.minutes,
                                      minutes=format_number(expectation.minutes, language)))
    else:
        parts.append(composer.t(WAIT_UNKNOWN))
    parts.append(composer.t(HOW_TO_CANCEL, word=cancel_word(language)))
    return Reply(" ".join(parts), [back_button(composer)])


def paused_acknowledgement(language: str) -> Reply:
    """The reply to a message sent while a person has the conversation."""
    composer = Composer(language, Snapshot())
    return Reply(composer.t(PAUSED_ACK, word=cancel_word(language)), [back_button(composer)])


def bot_back(language: str) -> Reply:
    """"You are talking to the assistant again", with the topic buttons."""
    composer = Composer(language, Snapshot())
    return Reply(composer.t(BOT_BACK), composer.area_buttons())


def unclaimed_notice(language: str, municipality: Optional[Municipality], contact: Optional[dict],
                     week_text: str = "") -> str:
    """Nobody claimed the ticket in time: the municipality's own contact options.

    ``contact``: ``{"name", "phone", "visiting_address", "url", "is_example", "recorded_on"}``
    (``webapp.handoff.models.ServiceContact``); ``week_text``: the opening hours, formatted.
    """
    composer = Composer(language, Snapshot())
    if municipality is None:
        return composer.t(UNCLAIMED_NO_MUNICIPALITY)
    lines = [composer.t(UNCLAIMED, municipality=composer.municipality_name(municipality))]
    contact = contact or {}
    if contact.get("name"):
        lines.append(f"• {_ltr(language, contact['name'])}")
    if contact.get("phone"):
        lines.append(composer.t(PHONE, phone=_ltr(language, contact["phone"])))
    if contact.get("visiting_address"):
        lines.append(composer.t(VISITING_ADDRESS, address=_ltr(language, contact["visiting_address"])))
    if week_text:
        lines.append(composer.t(OPENING_HOURS, hours=week_text))
    url = contact.get("url") or municipality.website
    if url:
        lines.append(composer.t(MUNICIPALITY_WEBSITE, url=_ltr(language, url)))
    if contact and contact.get("is_example", True):
        recorded = contact.get("recorded_on")
        lines.append(composer.t(FACT_EXAMPLE, date=format_date(recorded, language) if recorded else ""))
    return "\n".join(lines)


def staff_message(language: str, staff_name: str, text: str) -> str:
    """A staff reply as a channel without its own "from a person" marking shows it."""
    return f"{translate(language, STAFF_SAYS, name=_ltr(language, staff_name))}\n{text}"


# --- crisis -----------------------------------------------------------------------------------

def _has_emergency_number(text: str) -> bool:
    from bot.language import to_ascii_digits

    return "112" in to_ascii_digits(text)


def crisis_reply(composer: Composer, crisis: str, municipality: Optional[Municipality]) -> Reply:
    """The crisis text from content (editable, municipality's own first); the built-in text
    when there is none; and 112 added to any text that lost it. Never a reply without 112."""
    language = composer.language
    answer = composer.snapshot.answer(crisis, municipality.code if municipality else None, language)
    current = crisis_lines.numbers(composer.snapshot.crisis_lines)
    wrap = functools.partial(_ltr, language)
    if answer is None or not answer.text.strip():
        return Reply(composer.t(CRISIS_FALLBACKS.get(crisis, EMERGENCY_REMINDER),
                                **{key: wrap(number) for key, number in current.items()}))
    text = crisis_lines.fill(answer.text.strip(), current, wrap)
    if not _has_emergency_number(text):
        logger.warning("crisis text %s/%s has no 112; adding it", crisis, language)
        text = composer.t(EMERGENCY_REMINDER, emergency=wrap(current["emergency"])) + "\n\n" + text
    return Reply(text)


# --- cancelling -------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return _WORD_EDGES.sub("", clean_text(text).casefold())


@functools.lru_cache(maxsize=1)
def cancel_words() -> frozenset:
    words = {_fold(translate(language, CANCEL_WORD)) for language in LANGUAGES}
    return frozenset(words | {_fold(word) for word in _EXTRA_CANCEL_WORDS})


def is_cancel(text: str) -> bool:
    """The button, or the cancel word alone ("avbryt", "إلغاء", "لغو", "/bot"), never a
    sentence that happens to contain it ("kan jag avbryta mitt kontrakt")."""
    if not isinstance(text, str):
        return False
    stripped = text.strip()
    if stripped == CANCEL_PAYLOAD or stripped.startswith(CANCEL_PAYLOAD + "{"):
        return True
    return _fold(stripped) in cancel_words()


# --- opening the ticket -----------------------------------------------------------------------

def topics_asked(events: Iterable[dict]) -> List[str]:
    """Topic keys the user asked about in this conversation, in order, for the staff summary."""
    from bot.answers import topic_for_intent

    seen: List[str] = []
    for event in events:
        key = None
        if event.get("event") == "slot" and event.get("name") in ("topic", "pending_topic"):
            key = event.get("value")
        elif event.get("event") == "user":
            topic = topic_for_intent(((event.get("parse_data") or {}).get("intent") or {}).get("name"))
            key = topic.key if topic else None
        if key and key not in seen:
            seen.append(key)
    return seen


def _service():
    """``webapp.handoff.service`` with Django set up and stale connections closed. Blocking,
    like everything in it: the action server calls these helpers in a thread."""
    from django.db import close_old_connections

    from bot.content import _ensure_django

    _ensure_django()
    close_old_connections()
    from webapp.handoff import service

    return service


def _open_ticket_blocking(**fields):
    return _service().open_ticket(**fields)


async def request_handoff(tracker, composer: Composer, municipality: Optional[Municipality], reason: str,
                          crisis: bool = False) -> Tuple[List[Reply], List[dict]]:
    """Open a ticket and pause the conversation; the replies and the events to record.

    If the ticket cannot be written (the database is down) the conversation is not paused,
    since nobody would ever answer it: the user gets the municipality's contact instead."""
    from rasa_sdk.events import ConversationPaused

    latest = tracker.latest_message or {}
    fields = dict(
        sender_id=tracker.sender_id, reason=reason, language=composer.language,
        municipality_code=municipality.code if municipality else None,
        channel=tracker.get_latest_input_channel() or "", topics=topics_asked(tracker.events),
        last_user_text="" if (latest.get("text") or "").startswith("/") else (latest.get("text") or ""),
        crisis=crisis, client_key=str((latest.get("metadata") or {}).get("client_key") or "")[:32],
    )
    try:
        opened = await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(_open_ticket_blocking, **fields))
    except Exception:
        logger.exception("could not open a hand-off ticket for %s; giving the contact instead", tracker.sender_id)
        return [composer.human_contact(municipality)], []
    if opened.ticket is None:  # over the cap of open tickets from one address (webapp.handoff.service)
        return [Reply(composer.t(ALREADY_WAITING)), composer.human_contact(municipality)], []
    return [handoff_started(composer, municipality, opened.expectation)], [ConversationPaused()]


def has_open_ticket(sender_id: str) -> bool:
    """Whether a person has (or is about to take) the conversation (blocking: run it in a thread)."""
    return _service().is_handed_over(sender_id)


def cancel_ticket(sender_id: str):
    """Close the conversation's open ticket as cancelled by the user (blocking: run it in a
    thread). The caller resumes the tracker."""
    return _service().cancel_by_user(sender_id)
