"""The Telegram front end against the real stack (Rasa with the trained model, action server,
content database, web app) and a fake Bot API server on 127.0.0.1 (tests/fake_telegram.py).

The worker runs in this process with python-telegram-bot's real Application, polling the fake
server over HTTP, or, for the webhook tests, reading the inbox that a real web app process
fills. No mocks and no internet.
"""

import asyncio
import json
import os
import random
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest
from asgiref.sync import sync_to_async
from telegram.error import BadRequest

from bot.i18n import translate
from bot.settings import rasa_token
from bot.telegram import keyboards, store, texts
from bot.telegram.application import TelegramWorker, build_application
from bot.telegram.config import WEBHOOK
from bot.telegram.formatting import MESSAGE_LIMIT, isolate_ltr_runs, utf16_length
from bot.telegram.retries import RetryingRateLimiter
from tests.fake_telegram import (
    NON_TEXT_CONTENT,
    FakeBotApi,
    SwitchableProxy,
    callback_update,
    catalogs_with_telegram_strings,
    free_port,
    location_update,
    non_text_update,
    text_update,
)
from tests.helpers import assert_language
from webapp.facts.verification import summarise

STRINGS_FILE = Path(os.environ.get("TELEGRAM_STRINGS_JSON", "/tmp/strings_telegram.json"))
WEBHOOK_SECRET = "test-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
KIRUNA = "2584"  # no shipped facts and used by no other test


@pytest.fixture(scope="module")
def telegram_catalogs(tmp_path_factory):
    """Catalogs with the Telegram strings, until they are merged into locales/ (then a no-op)."""
    from bot import i18n

    merged = catalogs_with_telegram_strings(STRINGS_FILE, tmp_path_factory.mktemp("catalogs") / "locales")
    original = i18n.LOCALES_DIR
    if merged:
        i18n.LOCALES_DIR = merged
        i18n.catalog.cache_clear()
    yield
    i18n.LOCALES_DIR = original
    i18n.catalog.cache_clear()


@pytest.fixture
async def bot_api():
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


def make_worker(bot_api: FakeBotApi, rasa_url: str, **options) -> TelegramWorker:
    """A worker with short pauses, so that retries happen within a test's patience."""
    application = build_application(bot_api.token, base_url=bot_api.base_url, rasa_url=rasa_url,
                                    rasa_token=rasa_token(), rate_limiter=RetryingRateLimiter(first_backoff_seconds=0.05),
                                    idle_check_seconds=0.2, first_retry_seconds=0.2, max_retry_seconds=1.0)
    return TelegramWorker(application, poll_timeout_seconds=1, inbox_check_seconds=0.1, **options)


@pytest.fixture
async def worker(stack, bot_api, telegram_catalogs):
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}") as running:
        yield running


def new_chat_id() -> int:
    return random.randint(10 ** 8, 10 ** 9)


def own(language: str, msgid: str) -> str:
    """A text of the Telegram layer as the user receives it."""
    return isolate_ltr_runs(translate(language, msgid), language)


def buttons(message: dict) -> list:
    return [button for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]


def as_replies(messages: list) -> list:
    """Sent messages in the shape tests.helpers.assert_language reads."""
    return [{"text": m["text"], "buttons": [{"title": b["text"]} for b in buttons(m)]} for m in messages]


def assert_isolates_sound(text: str) -> None:
    assert "\u2068\u2068" not in text, f"double isolate: {text!r}"
    assert text.count("\u2068") == text.count("\u2069"), f"unbalanced isolates: {text!r}"


async def tracker(stack, sender: str) -> dict:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{stack.rasa_port}/conversations/{sender}/tracker",
                                    params={"token": rasa_token()}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


async def eventually(read, expected, what: str, timeout: float = 30) -> None:
    """Wait until ``await read()`` returns ``expected``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (value := await read()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{what}: still {value!r} after {timeout:.0f} s"
        await asyncio.sleep(0.1)


async def answered_queries(bot_api) -> set:
    return {c.params["callback_query_id"] for c in bot_api.calls_to("answerCallbackQuery")}


# --- the conversation ---------------------------------------------------------------------------

async def test_start_choose_dari_ask_about_sfi_and_get_a_dari_answer(worker, bot_api, stack):
    chat_id = new_chat_id()
    bot_api.push_update(text_update(chat_id, "/start", "fa"))
    welcome, municipalities = await bot_api.wait_for_messages(chat_id, 2)

    # Telegram's "fa" gets Dari, with each language offered in its own name.
    assert welcome["text"].startswith(own("fa_AF", texts.GREET))
    assert [b["text"] for b in buttons(welcome)] == ["Svenska", "العربية", "دری"]
    assert [b["callback_data"] for b in buttons(welcome)] == [
        '/switch_language{"language":"sv"}', '/switch_language{"language":"ar"}', '/switch_language{"language":"fa_AF"}']
    assert municipalities["text"] == own("fa_AF", texts.ASK_MUNICIPALITY)
    offered = [b["callback_data"] for b in buttons(municipalities)]
    offered_codes = {json.loads(data[data.index("{"):])["municipality"] for data in offered[:-1]}
    assert len(offered_codes) == keyboards.MAX_MUNICIPALITY_BUTTONS
    assert {m.code for m in summarise().municipalities if m.verified} <= offered_codes
    assert buttons(municipalities)[-1] == {"text": own("fa_AF", texts.OTHER_MUNICIPALITY),
                                           "callback_data": keyboards.OTHER_MUNICIPALITY_ACTION}
    assert "ناکا (\u2068Nacka\u2069)" in [b["text"] for b in buttons(municipalities)]

    bot_api.push_update(callback_update(chat_id, '/switch_language{"language":"fa_AF"}', "fa", query_id="dari"))
    confirmed = (await bot_api.wait_for_messages(chat_id, 3))[2]
    assert "dari" in await answered_queries(bot_api)
    assert_language(as_replies([confirmed]), "fa_AF")
    assert (await tracker(stack, f"telegram-{chat_id}"))["slots"]["language"] == "fa_AF"

    bot_api.push_update(text_update(chat_id, "چطور در کورس sfi ثبت نام کنم", "fa"))
    asked = (await bot_api.wait_for_messages(chat_id, 4))[3]  # the answer depends on the municipality
    assert asked["text"] == isolate_ltr_runs(translate("fa_AF", texts.ASK_MUNICIPALITY))

    bot_api.push_update(callback_update(chat_id, '/inform_municipality{"municipality":"0182"}', "fa", query_id="nacka"))
    await bot_api.wait_for(lambda: any("nacka.se" in m["text"] for m in bot_api.sent(chat_id)), 30,
                           "the answer with Nacka's facts")
    assert "nacka" in await answered_queries(bot_api)
    answer = bot_api.sent(chat_id)[4:]
    assert_language(as_replies(answer), "fa_AF")
    for message in bot_api.sent(chat_id):
        assert_isolates_sound(message["text"])
        assert message["link_preview_options"] == {"is_disabled": True}
    assert "\u2068https://www.nacka.se\u2069" in "\n".join(m["text"] for m in answer)
    # Dari throughout, never Arabic letters; only the language picker names Arabic in Arabic.
    dari_texts = [m["text"] for m in bot_api.sent(chat_id)] + [
        b["text"] for m in bot_api.sent(chat_id) for b in buttons(m) if not b["callback_data"].startswith("/switch_language")]
    assert not [text for text in dari_texts if re.search("[يكة]", text)]


async def test_other_municipality_button_is_answered_and_asks_to_type_it(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.push_update(callback_update(chat_id, keyboards.OTHER_MUNICIPALITY_ACTION, "ar", query_id="other"))
    (hint,) = await bot_api.wait_for_messages(chat_id, 1)
    assert hint["text"] == own("ar", texts.OTHER_MUNICIPALITY_HINT)
    assert "\u2068Kiruna\u2069" in hint["text"]
    assert "other" in await answered_queries(bot_api)


async def test_a_stored_long_payload_is_resolved_and_an_unknown_key_answered_politely(worker, bot_api, stack):
    chat_id = new_chat_id()
    key = keyboards.stored_key("/sfi_cost")
    await store.save_button_payload(key, "/sfi_cost")  # as if it had been too long
    bot_api.push_update(callback_update(chat_id, key, "sv", query_id="stored"))
    await bot_api.wait_for_messages(chat_id, 1)
    assert (await tracker(stack, f"telegram-{chat_id}"))["latest_message"]["intent"]["name"] == "sfi_cost"

    bot_api.push_update(callback_update(chat_id, "#not-a-known-key", "sv", query_id="stale"))
    stale = await bot_api.wait_for(lambda: [c for c in bot_api.calls_to("answerCallbackQuery")
                                            if c.params["callback_query_id"] == "stale"], 10, "the stale button answer")
    assert stale[0].params["text"] == translate("sv", texts.STALE_BUTTON)


async def test_long_payloads_get_short_callback_data_that_leads_back_to_them(database):
    long_payload = '/inform_municipality{"municipality":"0182","note":"' + "x" * 80 + '"}'
    data = await keyboards.callback_data_for(long_payload)
    assert data.startswith("#") and len(data.encode()) <= 64
    assert await keyboards.payload_for(data) == long_payload
    assert await keyboards.callback_data_for("/sfi_cost") == "/sfi_cost"
    assert await keyboards.payload_for("#unknown") is None
    keyboard = await keyboards.assistant_keyboard([{"title": "Lång", "payload": long_payload}])
    assert keyboard.inline_keyboard[0][0].callback_data == data


async def test_help_and_the_pickers_speak_the_users_language(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.push_update(text_update(chat_id, "/help", "ar"))
    (help_message,) = await bot_api.wait_for_messages(chat_id, 1)
    assert help_message["text"].startswith(own("ar", texts.HELP))
    for command, msgid in texts.COMMAND_DESCRIPTIONS.items():
        assert f"/{command}" in help_message["text"] and translate("ar", msgid) in help_message["text"]
    assert_isolates_sound(help_message["text"])

    bot_api.push_update(text_update(chat_id, "/language", "ar"))
    bot_api.push_update(text_update(chat_id, "/municipality", "ar"))
    _, languages, municipalities = await bot_api.wait_for_messages(chat_id, 3)
    assert languages["text"] == own("ar", texts.CHOOSE_LANGUAGE) and len(buttons(languages)) == 3
    assert municipalities["text"] == own("ar", texts.ASK_MUNICIPALITY) and \
        len(buttons(municipalities)) == keyboards.MAX_MUNICIPALITY_BUTTONS + 1  # and "another one"

    bot_api.push_update(text_update(chat_id, "/nosuchcommand", "ar"))
    assert (await bot_api.wait_for_messages(chat_id, 4))[3]["text"] == help_message["text"]


async def test_start_in_an_app_of_another_language_greets_in_all_three(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.push_update(text_update(chat_id, "/start", "en"))
    welcome, municipalities = await bot_api.wait_for_messages(chat_id, 2)
    for language in ("sv", "ar", "fa_AF"):
        assert own(language, texts.GREET) in welcome["text"]
    assert municipalities["text"] == own("sv", texts.ASK_MUNICIPALITY)


async def test_human_command_asks_the_assistant_for_a_person(worker, bot_api, stack):
    chat_id = new_chat_id()
    bot_api.push_update(text_update(chat_id, "/human", "sv"))
    (reply,) = await bot_api.wait_for_messages(chat_id, 1)
    # The hand-off (tests/test_handoff_telegram.py): a person will answer here; a button goes back.
    assert reply["text"].startswith(translate("sv", "I am passing your question to a person. They will answer "
                                                    "you here in this chat."))
    assert [b["callback_data"] for b in buttons(reply)] == ["/handoff_cancel"]
    state = await tracker(stack, f"telegram-{chat_id}")
    latest = state["latest_message"]
    assert latest["intent"]["name"] == "request_human" and latest["text"] == "/request_human"
    assert state["paused"] is True


async def test_messages_reach_rasa_as_the_telegram_channel(worker, bot_api, stack):
    chat_id = new_chat_id()
    bot_api.push_update(text_update(chat_id, "Hej! Vad kostar sfi?", "sv"))
    await bot_api.wait_for_messages(chat_id, 1)
    state = await tracker(stack, f"telegram-{chat_id}")
    assert state["latest_input_channel"] == "telegram"
    assert state["slots"]["language"] == "sv"


# --- non-text messages ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(NON_TEXT_CONTENT))
async def test_a_non_text_message_gets_a_polite_reply_in_the_users_language(worker, bot_api, kind):
    chat_id = new_chat_id()
    bot_api.push_update(non_text_update(chat_id, kind, "ar"))
    (reply,) = await bot_api.wait_for_messages(chat_id, 1)
    assert reply["text"] == own("ar", texts.NOT_TEXT)
    assert_language(as_replies([reply]), "ar")


async def test_a_location_is_thanked_for_and_the_municipality_asked_in_dari(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.push_update(location_update(chat_id, "fa"))
    (reply,) = await bot_api.wait_for_messages(chat_id, 1)
    assert reply["text"] == own("fa_AF", texts.LOCATION_NOT_USED)
    assert "\u2068Nacka\u2069" in reply["text"] and "\u2068131 30\u2069" in reply["text"]
    assert_language(as_replies([reply]), "fa_AF")


async def test_a_photo_caption_is_still_answered(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.push_update(non_text_update(chat_id, "photo", "sv", caption="Hej!"))
    notice, answer = await bot_api.wait_for_messages(chat_id, 2)
    assert notice["text"] == own("sv", texts.NOT_TEXT)
    assert answer["text"] == translate("sv", texts.GREET)


# --- long replies -------------------------------------------------------------------------------------

async def test_a_long_reply_is_split_at_sentences_under_telegrams_limit(worker, bot_api, database):
    from webapp.content.models import AnswerVersion, Municipality, Status

    sentences = [f"Mening {i} om vad SFI kostar i Kiruna." for i in range(260)]  # about 10,000 characters
    long_text = " ".join(sentences)
    kiruna = await sync_to_async(Municipality.objects.get)(code=KIRUNA)
    version = await sync_to_async(AnswerVersion.objects.create)(topic="sfi_cost", municipality=kiruna, language="sv",
                                                                text=long_text, status=Status.PUBLISHED)
    try:
        chat_id = new_chat_id()
        bot_api.push_update(callback_update(chat_id, f'/inform_municipality{{"municipality":"{KIRUNA}"}}', "sv"))
        await bot_api.wait_for_messages(chat_id, 2)  # confirmed, and which topic?
        for attempt in range(20):  # the action server picks up published content within a second
            before = len(bot_api.sent(chat_id))
            bot_api.push_update(callback_update(chat_id, "/sfi_cost", "sv", query_id=f"cost-{attempt}"))
            sent = await bot_api.wait_for(lambda: buttons(bot_api.sent(chat_id)[-1]) and len(bot_api.sent(chat_id)) > before
                                          and bot_api.sent(chat_id), 30, "the answer with its buttons")
            parts = [m["text"] for m in sent[before:]]
            if parts[0].startswith("Mening 0 "):
                break
            await asyncio.sleep(0.5)
        else:
            pytest.fail("the long local answer never reached the bot")
        assert len(parts) >= 3
        assert all(utf16_length(part) <= MESSAGE_LIMIT for part in parts)
        assert all(part.endswith(".") for part in parts[:-1]), "cut inside a sentence"
        assert " ".join(parts).startswith(long_text)
        assert [bool(buttons(m)) for m in sent[before:]] == [False] * (len(parts) - 1) + [True]
    finally:
        await sync_to_async(version.delete)()


# --- Telegram's faults --------------------------------------------------------------------------------

async def test_429_is_waited_out_and_the_message_arrives_once(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.fail_next_sends(1, 429)
    bot_api.push_update(text_update(chat_id, "/help", "sv"))
    (message,) = await bot_api.wait_for_messages(chat_id, 1)
    attempts = bot_api.calls_to("sendMessage", chat_id)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.95, "sent again before retry_after had passed"
    assert attempts[0].params["text"] == attempts[1].params["text"] == message["text"]
    await asyncio.sleep(1.5)
    assert len(bot_api.sent(chat_id)) == 1


async def test_server_errors_are_retried_with_backoff(worker, bot_api):
    chat_id = new_chat_id()
    bot_api.fail_next_sends(2, 500)
    bot_api.push_update(text_update(chat_id, "Hej", "sv"))
    (message,) = await bot_api.wait_for_messages(chat_id, 1)
    assert [a.status for a in bot_api.calls_to("sendMessage", chat_id)] == [500, 500, 200]
    assert message["text"] == translate("sv", texts.GREET)


async def test_an_error_in_a_handler_is_logged_with_its_traceback_and_the_user_told(worker, bot_api, caplog):
    chat_id = new_chat_id()
    bot_api.fail_next_sends(1, 400)  # a request error: retrying cannot help, so the handler fails
    bot_api.push_update(text_update(chat_id, "/help", "sv"))
    (apology,) = await bot_api.wait_for_messages(chat_id, 1)
    assert apology["text"] == translate("sv", texts.FAILED_APOLOGY)
    assert [a.status for a in bot_api.calls_to("sendMessage", chat_id)] == [400, 200]
    logged = [r for r in caplog.records if r.name == "bot.telegram.handlers" and r.exc_info]
    assert logged and isinstance(logged[0].exc_info[1], BadRequest)


# --- Rasa down -------------------------------------------------------------------------------------------

async def test_rasa_down_apology_then_the_kept_messages_are_answered_in_order(stack, bot_api, telegram_catalogs):
    from webapp.telegram.models import PendingMessage

    proxy = SwitchableProxy(f"http://127.0.0.1:{stack.rasa_port}")  # not listening yet: Rasa is "down"
    chat_id = new_chat_id()
    first, second = "كيف اسجل ابني في المدرسة", "شكرا جزيلا"
    try:
        async with make_worker(bot_api, proxy.url):
            bot_api.push_update(text_update(chat_id, first, "ar"))
            (apology,) = await bot_api.wait_for_messages(chat_id, 1)
            assert apology["text"] == own("ar", texts.QUEUED_APOLOGY)
            bot_api.push_update(text_update(chat_id, second, "ar"))
            waiting = sync_to_async(lambda: list(PendingMessage.objects.filter(chat_id=chat_id, delivered_at=None)
                                                 .values_list("text", flat=True)))
            await eventually(lambda: waiting(), [first, second], "both messages kept")
            assert len(bot_api.sent(chat_id)) == 1, "one apology, not one per message"

            await proxy.come_up()
            await eventually(lambda: waiting(), [], "the kept messages delivered")
            sent = await bot_api.wait_for_messages(chat_id, 3, timeout=30)
            answers = sent[1:]
            assert_language(as_replies(answers), "ar")
            assert all(m["text"] != apology["text"] for m in answers)
        state = await tracker(stack, f"telegram-{chat_id}")
        user_texts = [e["text"] for e in state["events"] if e["event"] == "user"]
        assert user_texts == [first, second], "each kept message reached Rasa once, in order"
    finally:
        await proxy.close()


# --- webhook mode ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def webhook_web_app(stack):
    """A second web app process configured for webhook mode, on the session's database."""
    from bot.stack import Stack

    web = Stack(rasa_port=stack.rasa_port, web_port=free_port(), log_dir=stack.log_dir,
                extra_env={"TELEGRAM_MODE": WEBHOOK, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET})
    web.model = stack.model
    web.start_process("web")
    web.wait_ready(60, ["web"])
    yield f"http://127.0.0.1:{web.web_port}/telegram/webhook"
    web.stop_process("web")


@pytest.fixture
async def webhook_worker(webhook_web_app, stack, bot_api, telegram_catalogs):
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}", mode=WEBHOOK,
                           webhook_url=webhook_web_app, webhook_secret=WEBHOOK_SECRET) as running:
        yield running


def inbox_rows_now(update_id: int) -> list:
    from webapp.telegram.models import InboxUpdate

    return list(InboxUpdate.objects.filter(update_id=update_id).values())


async def test_webhook_refuses_a_wrong_or_missing_secret_and_stores_nothing(webhook_worker, webhook_web_app, bot_api):
    chat_id = new_chat_id()
    update = {"update_id": bot_api.new_update_id(), **text_update(chat_id, "Hej", "sv")}
    async with httpx.AsyncClient() as client:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: WEBHOOK_SECRET + "x"}, {SECRET_HEADER: ""}):
            response = await client.post(webhook_web_app, json=update, headers=headers)
            assert response.status_code == 403, headers
    await asyncio.sleep(1)
    assert await sync_to_async(inbox_rows_now)(update["update_id"]) == []
    assert bot_api.sent(chat_id) == [] and bot_api.calls_to("sendChatAction", chat_id) == []


async def test_webhook_with_the_right_secret_is_stored_once_and_processed(webhook_worker, webhook_web_app, bot_api, stack):
    set_webhook = bot_api.calls_to("setWebhook")[-1].params
    assert set_webhook["url"] == webhook_web_app and set_webhook["secret_token"] == WEBHOOK_SECRET

    chat_id = new_chat_id()
    update = {"update_id": bot_api.new_update_id(), **text_update(chat_id, "Hej", "sv")}
    async with httpx.AsyncClient() as client:
        for _ in range(2):  # Telegram resends an update it thinks was not received
            response = await client.post(webhook_web_app, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
            assert response.status_code == 200 and response.json() == {"ok": True}
        assert (await client.get(webhook_web_app, headers={SECRET_HEADER: WEBHOOK_SECRET})).status_code == 405
        bad = await client.post(webhook_web_app, content=b"not json", headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert bad.status_code == 400
    (reply,) = await bot_api.wait_for_messages(chat_id, 1)
    assert reply["text"] == translate("sv", texts.GREET)
    processed = sync_to_async(lambda: [row["processed_at"] is not None for row in inbox_rows_now(update["update_id"])])
    await eventually(processed, [True], "the update stored once and marked processed")
    await asyncio.sleep(1)
    assert len(bot_api.sent(chat_id)) == 1, "a resent update is processed once"


async def test_webhook_is_refused_when_the_web_app_is_not_in_webhook_mode(stack):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"http://127.0.0.1:{stack.web_port}/telegram/webhook",
                                     json={"update_id": 1}, headers={SECRET_HEADER: ""})
    assert response.status_code == 403


# --- the worker as a process ----------------------------------------------------------------------------

async def run_worker_process(env_overrides: dict) -> asyncio.subprocess.Process:
    from bot.stack import ROOT, process_env

    env = {k: v for k, v in process_env().items() if not k.startswith("TELEGRAM_")}
    env.update(env_overrides)
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.telegram", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_worker_without_token_exits_with_a_clear_message():
    process = await run_worker_process({})
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert b"TELEGRAM_TOKEN is not set" in stderr


async def test_worker_in_webhook_mode_without_secret_exits_with_a_clear_message():
    process = await run_worker_process({"TELEGRAM_TOKEN": "1:x", "TELEGRAM_MODE": "webhook",
                                        "TELEGRAM_WEBHOOK_URL": "https://bot.example.se/telegram/webhook"})
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert b"TELEGRAM_WEBHOOK_SECRET" in stderr


async def test_python_m_bot_telegram_polls_answers_and_stops_on_sigterm(stack, bot_api):
    process = await run_worker_process({"TELEGRAM_TOKEN": bot_api.token, "TELEGRAM_BASE_URL": bot_api.base_url,
                                        "RASA_URL": f"http://127.0.0.1:{stack.rasa_port}"})
    try:
        chat_id = new_chat_id()
        bot_api.push_update(text_update(chat_id, "/start", "ar"))
        welcome, _ = await bot_api.wait_for_messages(chat_id, 2, timeout=60)
        assert welcome["text"].startswith(isolate_ltr_runs(translate("ar", texts.GREET), "ar"))
        assert bot_api.calls_to("deleteWebhook"), "polling starts by removing any webhook"
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()[-2000:]
        assert bot_api.token.encode() not in stderr, "the bot token must not appear in the logs"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_rejected_token_stops_the_worker_with_a_clear_message_that_does_not_show_it(bot_api):
    wrong_token = "700000001:not-the-token-of-this-bot"
    process = await run_worker_process({"TELEGRAM_TOKEN": wrong_token, "TELEGRAM_BASE_URL": bot_api.base_url})
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert b"Telegram rejected TELEGRAM_TOKEN" in stderr
    assert wrong_token.encode() not in stderr


async def test_the_worker_waits_for_an_unreachable_telegram_instead_of_exiting(stack):
    api, port = FakeBotApi(), free_port()  # nothing listens on the port yet
    process = await run_worker_process({"TELEGRAM_TOKEN": api.token, "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
                                        "RASA_URL": f"http://127.0.0.1:{stack.rasa_port}"})
    try:
        await asyncio.sleep(3)
        assert process.returncode is None, "the worker gave up while Telegram was unreachable"
        await api.start(port)
        chat_id = new_chat_id()
        api.push_update(text_update(chat_id, "/help", "sv"))
        await api.wait_for_messages(chat_id, 1, timeout=60)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        assert process.returncode == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await api.stop()
