"""The REST channel's guarantees (bot/channels.py): clear 400s, bounded input, never silent."""

import pytest
import requests

from bot.channels import BadRequest, clean_metadata, parse_payload
from tests.helpers import assert_language, text_of


@pytest.mark.parametrize("payload", [None, [], "hej", {"message": "hej"}, {"sender": "", "message": "hej"},
                                     {"sender": "x" * 500, "message": "hej"}, {"sender": "a", "message": 5},
                                     {"sender": "a", "message": {"text": "hej"}}, {"sender": None}])
def test_malformed_payloads_are_rejected_with_a_reason(payload):
    with pytest.raises(BadRequest):
        parse_payload(payload)


def test_payload_is_bounded_and_metadata_reduced_to_what_the_product_knows():
    fields = parse_payload({"sender": 42, "message": "x" * 1_000_000,
                            "metadata": {"language": "fa-AF", "municipality": 182, "nested": {"a": [1, 2]}}})
    assert fields["sender"] == "42"
    assert len(fields["message"]) == 8000
    assert fields["metadata"] == {"language": "fa_AF", "municipality": "0182"}
    assert clean_metadata({"language": "klingon", "municipality": "Nacka"}) == {}
    assert clean_metadata("not a dict") == {}
    assert clean_metadata({"channel": "telegram"}) == {"channel": "telegram"}
    assert clean_metadata({"channel": "<script>"}) == {}


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b'{"message": "hej"}', "application/json"),
    (b"\xff\xfe\x00", "application/octet-stream"), (b"", "application/json"),
])
def test_server_answers_malformed_requests_with_400_never_5xx(stack, body, content_type):
    response = requests.post(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook", data=body,
                             headers={"Content-Type": content_type}, timeout=10)
    assert response.status_code == 400
    assert "error" in response.json()


def test_missing_message_is_treated_as_empty(chat):
    replies = chat.post({"sender": chat.new_sender()}).json()
    assert replies and replies[0]["text"]


def test_a_one_megabyte_message_gets_a_polite_reply(chat):
    response = chat.post({"sender": chat.new_sender(), "message": "hej " * 250_000})
    assert response.status_code == 200
    assert "kort" in text_of(response.json()).lower()


@pytest.mark.parametrize("language, opener", [("sv", "hej"), ("ar", "مرحبا كيفك"), ("fa_AF", "سلام چطور هستی")])
def test_action_server_down_gets_an_apology_in_the_users_language_not_silence(stack, chat, language, opener):
    sender = chat.new_sender()
    chat.send(sender, opener)
    stack.stop_process("actions")
    try:
        replies = chat.send(sender, "ok")
        assert_language(replies, language)
        assert len(replies) == 1
    finally:
        stack.start_process("actions")
        stack.wait_ready(60, names=["actions"])
    assert_language(chat.send(sender, "ok"), language)  # the conversation goes on


@pytest.mark.parametrize("message, secret", [
    ("mitt personnummer är 850312-1234, ring 070-123 45 67", ["850312-1234", "070-123 45 67"]),
    ("رقمي الشخصي ٨٥٠٣١٢-١٢٣٤ وايميلي ali@example.se", ["٨٥٠٣١٢-١٢٣٤", "ali@example.se"]),
    ("نمبر دوسیه من ۷۶۵۴۳۲۱ است", ["۷۶۵۴۳۲۱"]),
])
def test_identifiers_never_reach_the_tracker_store(chat, database, message, secret):
    import sqlite3

    from bot.settings import database as database_config

    sender = chat.new_sender()
    chat.send(sender, message)
    stored = [e.get("text") or "" for e in chat.tracker(sender)["events"] if e["event"] == "user"]
    assert stored and "[" in stored[-1]
    with sqlite3.connect(database_config().name) as connection:
        rows = " ".join(r[0] for r in connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))
    assert rows
    import json

    for value in secret:
        # the events table holds JSON, where Arabic and Persian digits may be \u-escaped
        assert value not in rows and json.dumps(value)[1:-1] not in rows
        assert value not in " ".join(stored)
