"""The Telegram webhook route answers anything that is not a plain Telegram update with 400 and
stores nothing (issue 12, item 9): huge ``update_id`` values, ``NaN``/``Infinity``, numbers past
a double, nesting built to exhaust the parser, NUL characters, all with the valid secret."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies as st

from webapp.telegram.models import InboxUpdate
from webapp.telegram.views import MAX_DEPTH, SECRET_HEADER

SECRET = "webhook-secret-for-input-tests"
URL = "/telegram/webhook"


@pytest.fixture
def webhook_mode(database, monkeypatch):
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    return Client()


def _post(client, body: bytes):
    return client.post(URL, data=body, content_type="application/json", **{"HTTP_" + SECRET_HEADER.upper()
                                                                             .replace("-", "_"): SECRET})


def _nested(depth: int, update_id: int = 5) -> bytes:
    return ('{"update_id": %d, "message": ' % update_id + "[" * depth + "1" + "]" * depth + "}").encode()


REVIEW_BODIES = [
    b'{"update_id": 9223372036854775808}',  # 2**63
    b'{"update_id": 123456789012345678901234567890}',
    b'{"update_id": -1}',
    b'{"update_id": NaN}',
    b'{"update_id": Infinity}',
    b'{"update_id": 7001, "message": {"date": NaN}}',
    b'{"update_id": 7002, "message": {"date": -Infinity}}',
    b'{"update_id": 7003, "message": {"date": 1e999}}',
    b'{"update_id": 7004, "message": {"text": "a\\u0000b"}}',
    b'{"update_id": 7005, "message": {"text": "\\ud800"}}',
    b'{"update_id": 1' + b"0" * 5000 + b"}",
    _nested(100_000, 7006),
    _nested(MAX_DEPTH + 5, 7007),
    b"[" * 50_000,
]


@pytest.mark.parametrize("body", REVIEW_BODIES, ids=range(len(REVIEW_BODIES)))
def test_the_reviews_bodies_get_400_and_nothing_is_stored(webhook_mode, body):
    before = InboxUpdate.objects.count()
    response = _post(webhook_mode, body)
    assert response.status_code == 400
    assert InboxUpdate.objects.count() == before


def test_an_ordinary_update_is_still_stored(webhook_mode):
    update = {"update_id": 424242, "message": {"message_id": 1, "date": 1764800000, "text": "hej",
                                               "chat": {"id": 1001, "type": "private"}}}
    assert _post(webhook_mode, json.dumps(update).encode()).status_code == 200
    assert InboxUpdate.objects.get(update_id=424242).payload == update


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(update_id=st.one_of(st.integers(min_value=-(2 ** 70), max_value=2 ** 70), json_values),
       rest=st.dictionaries(st.sampled_from(["message", "edited_message", "callback_query", "x"]), json_values,
                            max_size=3),
       depth=st.integers(min_value=0, max_value=3 * MAX_DEPTH))
def test_any_body_gets_200_or_400_and_only_a_valid_update_is_stored(webhook_mode, update_id, rest, depth):
    body = {**rest, "update_id": update_id}
    if depth:
        body["deep"] = json.loads("[" * depth + "]" * depth)
    raw = json.dumps(body, allow_nan=True).encode()  # NaN/Infinity as Python writes them
    before = InboxUpdate.objects.count()
    response = _post(webhook_mode, raw)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert isinstance(update_id, int) and not isinstance(update_id, bool) and 0 <= update_id < 2 ** 63
        assert InboxUpdate.objects.filter(update_id=update_id).exists()
    else:
        assert InboxUpdate.objects.count() == before
