"""Each channel owns its ids (issue 12, items 2 and 5): signed web sessions, the token
callers, one strict sender pattern, and the widget's staff-reply polling, on the running stack.

Before the fix the REST channel took any sender from anyone, so a stranger could post as
``telegram-<chat id>`` (closing that user's hand-off, erasing their conversation) and read a
web user's staff replies by guessing nothing more than the id.
"""

import uuid

import pytest
import requests

from bot import web_sessions
from bot.channels import NO_SESSION
from bot.i18n import translate
from bot.language import LANGUAGES
from bot.settings import rasa_token
from tests.conftest import OTHER_SITE_PORT
from tests.helpers import RestClient, assert_language, text_of


@pytest.fixture
def anonymous(stack):
    """A newcomer-side caller: no token, like the widget in a browser."""
    return RestClient(f"http://127.0.0.1:{stack.rasa_port}", token=False)


def test_a_session_is_a_random_web_id_and_its_signature(anonymous, stack):
    embedding_site = f"http://127.0.0.1:{OTHER_SITE_PORT}"  # listed in RASA_CORS_ORIGINS
    response = requests.post(f"{anonymous.base_url}/webhooks/rest/session", timeout=10,
                             headers={"Origin": embedding_site})
    assert response.status_code == 200
    # The same CORS as the webhook: a municipality's page that is configured may call it, and
    # no other site (never "*").
    assert response.headers.get("Access-Control-Allow-Origin") == embedding_site
    stranger = requests.post(f"{anonymous.base_url}/webhooks/rest/session", timeout=10,
                             headers={"Origin": "https://not-configured.example"})
    assert stranger.headers.get("Access-Control-Allow-Origin") in (None, "")
    first = response.json()
    second = requests.post(f"{anonymous.base_url}/webhooks/rest/session", timeout=10).json()
    assert web_sessions.WEB_SENDER_PATTERN.match(first["sender"]) and first["sender"] != second["sender"]
    assert len(first["sender"]) - len("web-") >= 22  # ≥ 128 random bits in URL-safe base64
    assert web_sessions.verify(first["sender"], first["session"])  # the test process reads the same secret
    assert not web_sessions.verify(first["sender"], second["session"])


def test_an_anonymous_caller_with_its_session_converses(anonymous):
    sender = anonymous.web_session()
    replies = anonymous.send(sender, "hej", {"language": "sv", "channel": "web"})
    assert_language(replies, "sv")
    assert anonymous.tracker(sender)["events"], "the conversation is stored under the issued id"


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_a_valid_session_an_anonymous_caller_gets_403_in_its_language(anonymous, language):
    issued = anonymous.web_session()
    forged = [
        {"sender": "telegram-123456789", "message": "avbryt"},  # a Telegram user's conversation
        {"sender": issued, "message": "hej", "session": ""},
        {"sender": issued, "message": "hej", "session": web_sessions.sign(issued)[:-2] + "AA"},
        {"sender": f"web-{uuid.uuid4().hex}", "message": "hej"},  # a web id nobody issued
        {"sender": "telegram-123456789", "message": "hej", "session": web_sessions.sign("telegram-123456789")},
    ]
    for payload in forged:
        response = anonymous.post({**payload, "metadata": {"language": language}})
        assert response.status_code == 403, (payload, response.text)
        body = response.json()
        assert body["text"] == translate(language, NO_SESSION)
        assert_language([{"text": body["text"]}], language)
    assert requests.post(f"{anonymous.base_url}/webhooks/rest/webhook", timeout=10,
                         json={"sender": "telegram-1", "message": "hej"}).json()["text"] == translate("sv", NO_SESSION)


def test_a_forged_telegram_sender_cannot_touch_that_conversation(chat, anonymous):
    victim = f"telegram-{uuid.uuid4().int % 10 ** 9}"
    chat.send(victim, "hej", {"language": "sv", "channel": "telegram"})
    before = len(chat.tracker(victim)["events"])
    for message in ("avbryt", '/privacy_delete_data{"privacy_confirm":"yes"}', "/request_human"):
        assert anonymous.post({"sender": victim, "message": message}).status_code == 403
    assert len(chat.tracker(victim)["events"]) == before


@pytest.mark.parametrize("how", ["bearer", "query"])
def test_token_callers_may_use_any_id(stack, how):
    sender = f"ops.{uuid.uuid4().hex[:8]}_script-1"
    url = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"
    payload = {"sender": sender, "message": "hej"}
    if how == "bearer":
        response = requests.post(url, json=payload, headers={"Authorization": f"Bearer {rasa_token()}"}, timeout=60)
    else:
        response = requests.post(url, json=payload, params={"token": rasa_token()}, timeout=60)
    assert response.status_code == 200 and text_of(response.json())
    wrong = requests.post(url, json=payload, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert wrong.status_code == 403


@pytest.mark.parametrize("sender", [
    "web-abc\ndefghijklmnopqrs", "../../etc/passwd", "..", ".hidden", "telegram:123", "name@example.se",
    "two words", "web-åäöåäöåäöåäöåäö", "عربي", "a" * 129, "web-%2e%2e%2fxxxxxxxxxx", "tab\tid",
])
@pytest.mark.parametrize("caller", ["token", "anonymous"])
def test_ids_outside_the_pattern_are_refused_with_400(chat, anonymous, sender, caller):
    client = chat if caller == "token" else anonymous
    response = client.post({"sender": sender, "message": "hej", "session": web_sessions.sign(sender)})
    assert response.status_code == 400, response.text
    assert "sender" in response.json()["error"]


def test_staff_replies_are_polled_only_with_the_session(stack, anonymous):
    sender = anonymous.web_session()
    session = anonymous.sessions[sender]
    widget = f"http://127.0.0.1:{stack.web_port}/widget/messages"
    assert requests.get(widget, params={"sender": sender, "session": session, "after": 0}, timeout=10).status_code == 200
    for params in ({"sender": sender}, {"sender": sender, "session": session[:-1]},
                   {"sender": "telegram-42", "session": session}):
        assert requests.get(widget, params={**params, "after": 0}, timeout=10).status_code == 403


def test_the_secret_file_is_private_and_shared(stack):
    from bot.settings import VAR_DIR

    path = VAR_DIR / web_sessions.SECRET_FILE
    assert path.stat().st_mode & 0o077 == 0
    assert len(path.read_text().strip()) >= 43
