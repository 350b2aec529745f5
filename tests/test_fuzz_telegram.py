"""Fuzzing the Telegram update handler (bot/telegram/handlers.py through python-telegram-bot's
real ``Application.process_update``), against the running stack and the fake Bot API server of
tests/fake_telegram.py, as tests/test_telegram.py builds it.

Hypothesis runs derandomized with bounded example counts. Updates come in two kinds:

* well-formed updates with random content (any Unicode in text, captions, button data and the
  user's language code; every chat type): no handler may fail (the error handler's log line is
  the signal), and a private chat always gets an answer;
* arbitrary JSON read with ``Update.de_json``, as the webhook inbox does: either PTB refuses it
  (the worker skips such rows, bot/telegram/application.py) or it is handled without a failure.
"""

import asyncio
import itertools
import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.i18n import format_number
from bot.language import MAX_MESSAGE_CHARS
from bot.settings import rasa_token
from bot.telegram.application import build_application
from bot.telegram.retries import RetryingRateLimiter
from tests.fake_telegram import BOT_USER, FakeBotApi, callback_update, text_update
from tests.helpers import assert_language

NASTY = ["\x00", "\u202e", "\u2066", "\u2069", "\u200f", "\u200c", "\ufeff", "\u0301", "\u064b", "\u0640",
         "\U0001f44d", "/start", "/human", "/language", "/unknown_cmd", "@newcomer_test_bot", "<b>", "`",
         "\n\n", "سلام", "مرحبا", "hej"]
# Telegram delivers valid UTF-8 only, so no lone surrogates here (PTB's JSON would refuse them).
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
text = st.one_of(any_text, st.lists(st.one_of(st.sampled_from(NASTY), any_text), min_size=1, max_size=6).map("".join))
language_codes = st.one_of(st.none(), st.sampled_from(["sv", "ar", "fa", "fa-AF", "prs", "en", "ps", "zz"]), any_text)
chat_types = st.sampled_from(["private", "private", "private", "group", "supergroup", "channel"])
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(any_text, inner, max_size=3)), max_leaves=12)

_chat_ids = itertools.count(int(time.time() * 1000) % 10 ** 8 * 10)  # a fresh chat per example


@st.composite
def updates(draw):
    """A structurally valid update of a random kind with random content."""
    chat_id = next(_chat_ids)
    kind = draw(st.sampled_from(["text", "text", "caption", "button", "location", "edited"]))
    language = draw(language_codes)
    if kind == "button":
        update = callback_update(chat_id, draw(text).encode()[:64].decode(errors="ignore") or "x", language)
    elif kind == "location":
        update = {"message": _message(chat_id, language, location={"latitude": draw(st.floats(-90, 90)),
                                                                   "longitude": draw(st.floats(-180, 180))})}
    elif kind == "caption":
        update = {"message": _message(chat_id, language, caption=draw(text),
                                      photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}])}
    else:
        update = text_update(chat_id, draw(text) or ".", language)
        if kind == "edited":
            update = {"edited_message": update["message"]}
    for key in ("message", "edited_message"):
        if key in update:
            update[key]["chat"]["type"] = draw(chat_types)
    update["update_id"] = chat_id
    return update, chat_id, kind


def _message(chat_id, language, **content):
    sender = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    if language:
        sender["language_code"] = language
    return {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
            "from": sender, **content}


FUZZ = settings(derandomize=True, deadline=None, database=None, max_examples=30,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@pytest.fixture
def telegram_app(stack):
    """The real Application against the stack's Rasa and a fake Bot API, on a private loop
    (hypothesis' examples are synchronous, so each one runs ``loop.run_until_complete``)."""
    loop = asyncio.new_event_loop()
    api = FakeBotApi()
    loop.run_until_complete(api.start())
    application = build_application(api.token, base_url=api.base_url, rasa_url=f"http://127.0.0.1:{stack.rasa_port}",
                                    rasa_token=rasa_token(), rate_limiter=RetryingRateLimiter(first_backoff_seconds=0.05))
    loop.run_until_complete(application.initialize())
    yield loop, api, application
    loop.run_until_complete(application.shutdown())
    loop.run_until_complete(application.bot_data["relay"].close())
    loop.run_until_complete(api.stop())
    loop.close()


def _handler_failures(caplog):
    return [r for r in caplog.records if r.name == "bot.telegram.handlers" and r.levelno >= logging.ERROR]


def test_random_updates_are_handled_without_a_failure_and_private_chats_get_an_answer(telegram_app, caplog):
    loop, api, application = telegram_app
    caplog.set_level(logging.ERROR)

    @FUZZ
    @given(updates())
    def check(example):
        data, chat_id, kind = example
        update = Update.de_json(data, application.bot)
        loop.run_until_complete(asyncio.wait_for(application.process_update(update), timeout=60))
        failures = _handler_failures(caplog)
        assert not failures, f"{kind} update failed in a handler: {failures[0].getMessage()}"
        private = data.get("message", {}).get("chat", {}).get("type", "private") == "private"
        if kind != "edited" and private:
            assert api.sent(chat_id) or api.calls_to("answerCallbackQuery"), f"no answer to a {kind}"
            answered.add(kind)

    answered = set()
    check()
    # The examples reached every handler the assistant answers through, not only the filters.
    assert answered >= {"text", "caption", "button", "location"}, answered
    assert len(api.calls_to("sendMessage")) >= 20


def test_arbitrary_json_is_refused_by_ptb_or_handled_without_a_failure(telegram_app, caplog):
    loop, api, application = telegram_app
    caplog.set_level(logging.ERROR)

    @FUZZ
    @given(st.one_of(json_values, st.fixed_dictionaries({"update_id": st.integers(0, 2 ** 31)},
                                                        optional={"message": json_values,
                                                                  "callback_query": json_values})))
    def check(data):
        try:
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception:  # the webhook inbox skips rows PTB cannot read, and so would polling
            return
        if update is None:
            return
        loop.run_until_complete(asyncio.wait_for(application.process_update(update), timeout=60))
        assert not _handler_failures(caplog)

    check()


@pytest.mark.parametrize("language, code, filler", [("sv", "sv", "hej "), ("ar", "ar", "مرحبا "),
                                                    ("fa_AF", "fa", "سلام چطور ")], ids=["sv", "ar", "fa_AF"])
def test_the_longest_telegram_message_gets_the_too_long_answer_in_the_users_language(telegram_app, language, code,
                                                                                      filler):
    loop, api, application = telegram_app
    chat_id = next(_chat_ids)
    text = (filler * 4096)[:4096]  # Telegram's own limit; longer than the assistant reads (2000)
    data = {**text_update(chat_id, text, code), "update_id": chat_id}
    loop.run_until_complete(application.process_update(Update.de_json(data, application.bot)))
    sent = api.sent(chat_id)
    assert sent and format_number(MAX_MESSAGE_CHARS, language) in sent[-1]["text"]
    assert_language([{"text": m["text"]} for m in sent], language)
    assert BOT_USER["id"] != chat_id
