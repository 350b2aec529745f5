"""Faults in the default profile (issue 7, "Faults"), each in the three languages.

* The action server killed (SIGKILL, no goodbye) mid-conversation: the user gets the apology in
  their language within 2 s, and the conversation goes on once it is back.
* The SQLite database unavailable for a few seconds (another connection holds an exclusive
  lock): no message is lost. The user either gets the answer late or an apology asking them
  to send it again; after the retry the message is in the tracker store exactly once.

Telegram 429/5xx answers are retried by the worker: tests/test_telegram.py. The scaled
profile's faults (a Rasa instance killed, PostgreSQL restarted) are tested with that profile.
"""

import os
import signal
import sqlite3
import threading
import time

import pytest

from bot.channels import APOLOGY
from bot.i18n import translate
from tests.helpers import assert_language, text_of

OPENERS = {"sv": "hej", "ar": "مرحبا كيفك", "fa_AF": "سلام چطور هستی"}
QUESTIONS = {"sv": "vad kostar sfi?", "ar": "هل دروس sfi مجانية؟", "fa_AF": "کورس sfi چند پول است؟"}
APOLOGY_SECONDS = 2.0


def _kill_actions(stack):
    process = stack.processes["actions"]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _restart_actions(stack):
    stack.start_process("actions")
    stack.wait_ready(90, names=["actions"])


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_action_server_killed_mid_conversation_gets_a_prompt_apology_and_the_conversation_goes_on(
        stack, chat, language):
    sender = chat.new_sender()
    chat.send(sender, OPENERS[language], {"language": language})
    _kill_actions(stack)
    try:
        started = time.monotonic()
        replies = chat.send(sender, QUESTIONS[language])
        elapsed = time.monotonic() - started
        assert text_of(replies) == translate(language, APOLOGY)
        assert_language(replies, language)
        assert elapsed < APOLOGY_SECONDS, f"the apology took {elapsed:.1f} s"
    finally:
        _restart_actions(stack)
    # The user sends it again, as asked, and gets the real answer in their language.
    again = chat.send(sender, QUESTIONS[language])
    assert text_of(again) != translate(language, APOLOGY)
    assert_language(again, language)


def test_action_server_killed_while_a_message_is_being_answered_still_gets_a_reply(stack, chat):
    sender = chat.new_sender()
    chat.send(sender, OPENERS["ar"], {"language": "ar"})
    result = {}

    def send():
        started = time.monotonic()
        result["replies"] = chat.send(sender, QUESTIONS["ar"])
        result["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.05)  # the request is on its way or being processed
    _kill_actions(stack)
    try:
        thread.join(timeout=30)
        assert not thread.is_alive(), "no reply at all"
        assert_language(result["replies"], "ar")  # the answer if it was quicker, else the apology
        assert result["elapsed"] < 5
    finally:
        _restart_actions(stack)


class ExclusiveLock:
    """A database that cannot be written for a while: another connection holds SQLite's
    exclusive write lock (a long migration, a backup tool, a stuck process). In WAL mode
    readers go on; every writer waits or fails with "database is locked"."""

    def __init__(self, path: str, seconds: float):
        self.path, self.seconds = path, seconds
        self.held = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("SELECT count(*) FROM events").fetchone()
            self.held.set()
            time.sleep(self.seconds)
            connection.execute("COMMIT")
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        assert self.held.wait(30), "could not take the lock"
        return self

    def __exit__(self, *exc):
        self._thread.join(timeout=self.seconds + 30)


def _user_turns(chat, sender, text):
    return [e for e in chat.tracker(sender)["events"] if e["event"] == "user" and e.get("text") == text]


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_briefly_locked_database_loses_no_message(stack, chat, database, language):
    from bot.settings import database as database_config

    sender = chat.new_sender()
    chat.send(sender, OPENERS[language], {"language": language})
    message = f"{QUESTIONS[language]} {sender[-4:]}"
    with ExclusiveLock(database_config().name, seconds=3):
        started = time.monotonic()
        replies = chat.send(sender, message)
        elapsed = time.monotonic() - started
    assert_language(replies, language)
    assert elapsed < 30
    if text_of(replies) == translate(language, APOLOGY):
        # Asked to send it again: the client does, and this time it is answered.
        replies = chat.send(sender, message)
        assert text_of(replies) != translate(language, APOLOGY)
        assert_language(replies, language)
    assert len(_user_turns(chat, sender, message)) == 1, "the message must be stored exactly once"


def test_a_database_locked_longer_than_writers_wait_gets_an_apology_and_the_retry_is_stored_once(
        stack, chat, database):
    """Rasa's writes wait up to 20 s for the lock (bot/tracker_store.py, busy_timeout); past
    that the turn fails unsaved, the channel apologises in the user's language and asks for
    the message again, and the retry is stored once: nothing lost, nothing doubled."""
    from bot.settings import database as database_config

    sender = chat.new_sender()
    chat.send(sender, OPENERS["ar"], {"language": "ar"})
    message = f"{QUESTIONS['ar']} {sender[-4:]}"
    with ExclusiveLock(database_config().name, seconds=24):
        replies = chat.send(sender, message)
        assert text_of(replies) == translate("ar", APOLOGY)
    assert _user_turns(chat, sender, message) == []  # the failed turn left nothing behind
    replies = chat.send(sender, message)
    assert text_of(replies) != translate("ar", APOLOGY)
    assert_language(replies, "ar")
    assert len(_user_turns(chat, sender, message)) == 1
