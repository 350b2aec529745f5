"""Fuzzing the widget's endpoints (webapp/widget/views.py) with random paths and query strings:
never a 5xx, always JSON, a clear 400 for what is not a widget conversation, and the strings
of a real language for anything that names no language the product speaks.

Hypothesis runs derandomized with bounded examples, through Django's test client.
"""

import uuid
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import web_sessions
from bot.language import LANGUAGES

NASTY = ["\x00", "\u202e", "\u2066", "\u200f", "\u0301", "\ud7ff", "../", "%", "%00", "%ff", "&", "=", "#", "?",
         "web-", "-1", "9" * 30, "1e9", " ", "\n", "'", "<script>"]
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
text = st.one_of(any_text, st.lists(st.one_of(st.sampled_from(NASTY), any_text), max_size=5).map("".join))
senders = st.one_of(text, st.builds(lambda: f"web-{uuid.uuid4()}"), st.just(f"web-{'0' * 32}"),
                    st.sampled_from([f"web-{'f' * 36}", "telegram-123", "web-" + "-" * 32]))
afters = st.one_of(text, st.integers(-10 ** 30, 10 ** 30).map(str), st.sampled_from(["", "0", "-0", "+5", "٣", "1.5"]))
query = st.one_of(
    st.fixed_dictionaries({}, optional={"sender": senders, "after": afters, "extra": text}),
    st.dictionaries(text, text, max_size=4),
)

FUZZ = settings(derandomize=True, deadline=None, database=None, max_examples=150,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture
def client(database):
    return Client()


@FUZZ
@given(params=query)
def test_handoff_messages_never_fails_on_any_query(client, params):
    response = client.get("/widget/messages?" + urlencode(params))
    assert response.status_code in (200, 400, 403), response.status_code
    body = response.json()
    if response.status_code in (400, 403):
        assert body["error"]
    else:
        assert isinstance(body["messages"], list) and isinstance(body["active"], bool)
    assert response["Cache-Control"] == "no-store"


@FUZZ
@given(params=st.one_of(query, st.just({})), raw=st.sampled_from(["", "a=%ff%fe", "sender=%00&after=%", "&&&==", "a" * 5000]))
def test_handoff_messages_survives_raw_malformed_query_strings(client, params, raw):
    response = client.get("/widget/messages?" + raw + "&" + urlencode(params))
    assert response.status_code in (200, 400, 403)


@FUZZ
@given(language=st.one_of(text, st.sampled_from(["sv", "ar", "fa_AF", "fa-AF", "prs", "ar-SY", "AR", "xx"])))
def test_strings_serve_a_known_language_for_any_path(client, language):
    response = client.get(f"/widget/strings/{quote(language, safe='')}.json")
    assert response.status_code in (200, 404), response.status_code  # 404: the path itself does not match
    if response.status_code == 200:
        body = response.json()
        assert body["language"] in LANGUAGES
        assert body["dir"] == ("rtl" if body["language"] in ("ar", "fa_AF") else "ltr")
        assert body["strings"] and body["maxLength"] > 0


@FUZZ
@given(name=text)
def test_asset_serves_only_its_own_files(client, name):
    response = client.get(f"/widget/{quote(name, safe='')}")
    assert response.status_code in (200, 301, 304, 404, 405), response.status_code
    if response.status_code == 200:
        assert name in ("newcomer-widget.js", "newcomer-widget.css", "demo.css")


@pytest.mark.parametrize("after", [str(10 ** 30), str(2 ** 63), str(2 ** 63 - 1), "9" * 4000, "-1", "٣"])
def test_handoff_messages_with_extreme_positions(client, after):
    sender = f"web-{uuid.uuid4()}"
    response = client.get("/widget/messages", {"sender": sender, "session": web_sessions.sign(sender), "after": after})
    assert response.status_code in (200, 400), response.status_code
