"""The hand-off on Telegram: the real worker against a fake Bot API server on 127.0.0.1
(tests/fake_telegram.py) and the real stack. A user asks for a person with /human, staff claim
and reply through ``webapp.handoff.service``, the reply arrives in the chat marked as a
person's, survives Telegram failing for a while, and closing brings the bot back.
"""

import pytest
from asgiref.sync import sync_to_async

from bot import handoff
from bot.telegram.formatting import isolate_ltr_runs
from tests.fake_telegram import FakeBotApi, callback_update, text_update
from tests.test_telegram import buttons, eventually, make_worker, new_chat_id, telegram_catalogs, tracker  # noqa: F401


@pytest.fixture
async def bot_api():
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def rasa_api(stack, monkeypatch):
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{stack.rasa_port}")


def _ticket(sender):
    from webapp.handoff.models import HandoffTicket

    return HandoffTicket.objects.get(sender_id=sender)


def _delivery_rows(ticket):
    return list(ticket.deliveries.order_by("id").values("kind", "delivered_at", "attempts", "failed_at"))


async def test_staff_reply_arrives_in_the_telegram_chat_and_closing_gives_the_bot_back(
        stack, bot_api, telegram_catalogs, make_staff, rasa_api):
    from webapp.handoff import service

    staff, _ = await sync_to_async(make_staff)("editor", ["0160"], ["sv", "ar"])  # Täby
    name = service.staff_display_name(staff)
    chat_id, sender = new_chat_id(), None
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}"):
        bot_api.push_update(text_update(chat_id, "/human", "ar"))
        (started,) = await bot_api.wait_for_messages(chat_id, 1)
        assert handoff.cancel_word("ar") in started["text"]
        assert [b["callback_data"] for b in buttons(started)] == ["/handoff_cancel"]
        sender = f"telegram-{chat_id}"
        assert (await tracker(stack, sender))["paused"] is True
        ticket = await sync_to_async(_ticket)(sender)
        assert ticket.channel == "telegram" and ticket.language == "ar"

        await sync_to_async(service.claim)(ticket, staff)
        words = "مرحبا، أنا من بلدية Täby. سأساعدك في رسالة مصلحة الهجرة."
        await sync_to_async(service.reply)(ticket, staff, words)
        staff_message = (await bot_api.wait_for_messages(chat_id, 2))[1]
        assert staff_message["text"] == isolate_ltr_runs(handoff.staff_message("ar", name, words), "ar")
        assert "\u2068\u2068" not in staff_message["text"]
        assert staff_message["text"].endswith(isolate_ltr_runs(words, "ar"))

        # The user answers: acknowledged, not answered by the bot.
        bot_api.push_update(text_update(chat_id, "شكرا، سأرسل الرسالة غدا", "ar"))
        ack = (await bot_api.wait_for_messages(chat_id, 3))[2]
        assert ack["text"] == isolate_ltr_runs(handoff.paused_acknowledgement("ar").text, "ar")

        await sync_to_async(service.close)(ticket, staff, "answered")
        back = (await bot_api.wait_for_messages(chat_id, 4))[3]
        assert back["text"] == isolate_ltr_runs(handoff.bot_back("ar").text, "ar")
        assert len(buttons(back)) == 3  # the topics again
        assert (await tracker(stack, sender))["paused"] is False
        delivered = sync_to_async(lambda: all(row["delivered_at"] for row in _delivery_rows(ticket)))
        await eventually(delivered, True, "both rows marked delivered", timeout=10)
    assert [row["kind"] for row in await sync_to_async(_delivery_rows)(ticket)] == ["staff", "notice"]


async def test_a_staff_reply_waits_out_a_telegram_outage_and_arrives_once(
        stack, bot_api, telegram_catalogs, make_staff, rasa_api):
    from webapp.handoff import service

    staff, _ = await sync_to_async(make_staff)("editor", ["0160"], ["sv"])
    chat_id = new_chat_id()
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}"):
        bot_api.push_update(callback_update(chat_id, "/handoff_eviction", "sv", query_id="eviction"))
        # "A person will answer", then the guidance while waiting (what a landlord may not do).
        guidance = (await bot_api.wait_for_messages(chat_id, 2))[1]
        assert "Kronofogden" in guidance["text"]
        ticket = await sync_to_async(_ticket)(f"telegram-{chat_id}")
        await sync_to_async(service.claim)(ticket, staff)
        bot_api.fail_next_sends(7, 500)  # more than the rate limiter's own retries
        await sync_to_async(service.reply)(ticket, staff, "Hej! Jag heter Sara och hjälper dig med hyresvärden.")
        await bot_api.wait_for_messages(chat_id, 3, timeout=30)
        statuses = [call.status for call in bot_api.calls_to("sendMessage", chat_id)]
        assert statuses.count(500) == 7 and statuses.count(200) == 3
        # Marked delivered just after Telegram took it, so wait for that write.
        delivered = sync_to_async(lambda: _delivery_rows(ticket)[0]["delivered_at"] is not None)
        await eventually(delivered, True, "the row marked delivered", timeout=10)
        rows = await sync_to_async(_delivery_rows)(ticket)
        assert rows[0]["delivered_at"] is not None and rows[0]["attempts"] >= 1 and rows[0]["failed_at"] is None
        assert "Sara" in bot_api.sent(chat_id)[2]["text"]


async def test_the_back_button_in_telegram_resumes_the_bot(stack, bot_api, telegram_catalogs):
    chat_id = new_chat_id()
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}"):
        bot_api.push_update(callback_update(chat_id, "/handoff_debt", "fa", query_id="debt"))
        await bot_api.wait_for_messages(chat_id, 2)  # "a person will answer", then the guidance on debts
        bot_api.push_update(callback_update(chat_id, "/handoff_cancel", "fa", query_id="back"))
        back = (await bot_api.wait_for_messages(chat_id, 3))[2]
        assert back["text"] == isolate_ltr_runs(handoff.bot_back("fa_AF").text, "fa_AF")
        assert (await tracker(stack, f"telegram-{chat_id}"))["paused"] is False
        ticket = await sync_to_async(_ticket)(f"telegram-{chat_id}")
        assert ticket.outcome == "cancelled_by_user"
