"""The inbox against the running stack, over HTTP as a staff member's browser uses it (real
sign-in, CSRF tokens, the web app process that talks to Rasa):

* Telegram: a Dari user on Telegram (the worker in this process, polling the fake Bot API server
  of tests/fake_telegram.py) is handed over; the ticket appears in the inbox feed; the staff
  reply arrives as a sendMessage at the fake server; closing gives the chat back to the bot.
* A reply when Rasa cannot be reached says so and keeps the draft, and changes nothing.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
import requests
from asgiref.sync import sync_to_async

from bot.handoff import BOT_BACK
from bot.i18n import translate
from bot.settings import rasa_token
from tests.fake_telegram import FakeBotApi, callback_update, text_update
from tests.test_handoff_inbox import make_ticket, municipality  # noqa: F401 (a fixture)
from tests.test_telegram import make_worker, new_chat_id
from webapp.handoff.models import HandoffTicket, Reason, Status

NACKA = "0182"
STAFF_PASSWORD = "test-password-123"  # what the make_staff fixture gives every account
DARI_PERMIT_REJECTED = "سلام، اداره مهاجرت درخواست اقامت مرا رد کرد. حالا چی کار کنم؟"
STAFF_REPLY = "سلام، من از کمون ناکا هستم. لطفاً نامه اداره مهاجرت را فردا به دفتر ما بیاورید تا با هم بخوانیم."
ISOLATES = re.compile("[\u2066-\u2069]")


class StaffBrowser:
    """A staff member's browser, reduced to HTTP: a session cookie and the CSRF token."""

    def __init__(self, web_url: str):
        self.web_url = web_url
        self.session = requests.Session()

    def sign_in(self, username: str) -> None:
        self.session.get(f"{self.web_url}/staff/login/", timeout=10).raise_for_status()
        response = self.session.post(f"{self.web_url}/staff/login/", timeout=10, allow_redirects=False, data={
            "username": username, "password": STAFF_PASSWORD, "csrfmiddlewaretoken": self.session.cookies["csrftoken"]})
        assert response.status_code == 302, response.text[:300]

    def get(self, path: str, **params) -> requests.Response:
        return self.session.get(f"{self.web_url}{path}", params=params, timeout=10)

    def post(self, path: str, **data) -> requests.Response:
        data["csrfmiddlewaretoken"] = self.session.cookies["csrftoken"]
        return self.session.post(f"{self.web_url}{path}", data=data, timeout=30)


@pytest.fixture
def staff_browser(stack, make_staff):
    def signed_in(municipalities, languages):
        user, _ = make_staff("editor", municipalities, languages)
        browser = StaffBrowser(f"http://127.0.0.1:{stack.web_port}")
        browser.sign_in(user.get_username())
        return user, browser

    return signed_in


@pytest.fixture
async def bot_api():
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


async def paused(stack, sender: str) -> bool:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{stack.rasa_port}/conversations/{sender}/tracker",
                                    params={"token": rasa_token()}, timeout=10)
    response.raise_for_status()
    return response.json()["paused"]


async def eventually(read, what: str, timeout: float = 30):
    """The first truthy ``await read()`` within ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await read()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        await asyncio.sleep(0.2)
    return value


async def test_telegram_user_gets_the_staff_reply_and_then_the_bot_again(stack, bot_api, staff_browser):
    chat_id, sender = new_chat_id(), None
    staff, browser = await sync_to_async(staff_browser)([NACKA], ["fa_AF"])
    async with make_worker(bot_api, f"http://127.0.0.1:{stack.rasa_port}"):
        bot_api.push_update(callback_update(chat_id, '/switch_language{"language":"fa_AF"}', "fa", query_id="dari"))
        await bot_api.wait_for_messages(chat_id, 1)
        bot_api.push_update(callback_update(chat_id, '/inform_municipality{"municipality":"0182"}', "fa", query_id="nacka"))
        await bot_api.wait_for_messages(chat_id, 2)
        bot_api.push_update(text_update(chat_id, DARI_PERMIT_REJECTED, "fa"))
        sender = f"telegram-{chat_id}"
        ticket = await eventually(sync_to_async(HandoffTicket.objects.filter(sender_id=sender).first),
                                  "a ticket for the Telegram conversation")
        assert await paused(stack, sender) is True
        assert (ticket.reason, ticket.language, ticket.municipality_id, ticket.channel) == (
            Reason.RESIDENCE_PERMIT, "fa_AF", NACKA, "telegram")
        listed = (await sync_to_async(browser.get)("/staff/inbox/feed/")).json()
        row = next(row for row in listed["waiting"] if row["id"] == ticket.pk)
        assert row["channel_label"] == "Telegram" and row["language_note"] == ""

        claimed = await sync_to_async(browser.post)(f"/staff/inbox/{ticket.pk}/claim/")
        assert claimed.status_code == 200 and f"Du har tagit ärende #{ticket.pk}" in claimed.text
        before = len(bot_api.sent(chat_id))
        replied = await sync_to_async(browser.post)(f"/staff/inbox/{ticket.pk}/reply/", text=STAFF_REPLY)
        assert replied.status_code == 200 and "Svaret skickades." in replied.text
        delivered = await bot_api.wait_for(
            lambda: [m for m in bot_api.sent(chat_id)[before:] if STAFF_REPLY in ISOLATES.sub("", m["text"])],
            30, "the staff reply at the Bot API server")
        assert delivered[0]["chat_id"] == chat_id

        before = len(bot_api.sent(chat_id))
        closed = await sync_to_async(browser.post)(f"/staff/inbox/{ticket.pk}/close/", outcome="answered")
        assert closed.status_code == 200 and f"Ärende #{ticket.pk} är avslutat" in closed.text
        back = ISOLATES.sub("", translate("fa_AF", BOT_BACK))
        await bot_api.wait_for(lambda: [m for m in bot_api.sent(chat_id)[before:] if back in ISOLATES.sub("", m["text"])],
                               30, "the bot-is-back message")
        assert await paused(stack, sender) is False
        await sync_to_async(ticket.refresh_from_db)()
        assert (ticket.status, ticket.outcome) == (Status.CLOSED, "answered")

        # The bot answers the next question itself.
        before = len(bot_api.sent(chat_id))
        bot_api.push_update(text_update(chat_id, "چطور در کورس sfi ثبت نام کنم", "fa"))
        await bot_api.wait_for_messages(chat_id, before + 1)
        assert await paused(stack, sender) is False


def test_reply_when_the_assistant_is_unreachable_keeps_the_draft(make_staff, monkeypatch, municipality):
    from django.urls import reverse

    from webapp.handoff.models import HandoffDelivery

    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    user, client = make_staff("editor", [municipality], ["sv"])
    ticket = make_ticket(municipality, status=Status.CLAIMED, claimed_by=user)
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": "Hej! Vi ses i morgon kl. 10."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Assistenten kunde inte nås just nu" in page
    assert "Hej! Vi ses i morgon kl. 10.</textarea>" in page
    assert not HandoffDelivery.objects.filter(ticket=ticket).exists()
    response = client.post(reverse("handoff-close", args=[ticket.pk]), {"outcome": "answered"})
    assert response.status_code == 200 and "Assistenten kunde inte nås just nu" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED
