"""The cached tracker store (bot/tracker_store.py) returns exactly what Rasa's SQL tracker store
would, however else the database changed: another Rasa instance, erasure, an unsaved turn."""

import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.settings import ROOT
from bot.tracker_store import DatabaseUrlTrackerStore

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "events.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def run(coroutine):
    return asyncio.run(coroutine)


def turn(tracker, text, reply):
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_greet"))
    tracker.update(BotUttered(reply))
    tracker.update(ActionExecuted("action_listen"))


def stock_view(path, sender):
    """What Rasa's own SQL tracker store reads from the same file."""
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    tracker = run(store.retrieve(sender))
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def new_conversation(store, sender):
    tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "hej", "Hej!")
    run(store.save(tracker))
    return tracker


def test_cached_tracker_equals_what_rasa_reads_and_is_served_from_memory(db_path):
    store = DatabaseUrlTrackerStore(DOMAIN)
    new_conversation(store, "a")
    for n in range(3):
        tracker = run(store.retrieve("a"))
        turn(tracker, f"fråga {n}", f"svar {n}")
        tracker.update(SlotSet("language", "sv"))
        run(store.save(tracker))
    hits = store.cache_hits
    cached = run(store.retrieve("a"))
    assert store.cache_hits == hits + 1
    assert [e.as_dict() for e in cached.events] == stock_view(db_path, "a")
    assert cached.get_slot("language") == "sv"
    assert sum(isinstance(e, UserUttered) for e in cached.events) == 4


def test_events_written_by_another_instance_are_seen(db_path):
    ours, other = DatabaseUrlTrackerStore(DOMAIN), DatabaseUrlTrackerStore(DOMAIN)
    new_conversation(ours, "b")
    run(ours.retrieve("b"))  # cached here
    tracker = run(other.retrieve("b"))
    turn(tracker, "från den andra", "svar från den andra")
    run(other.save(tracker))
    seen = run(ours.retrieve("b"))
    assert [e.text for e in seen.events if isinstance(e, UserUttered)] == ["hej", "från den andra"]
    # and our next save appends after the other instance's events, not over them
    turn(seen, "tillbaka", "svar")
    run(ours.save(seen))
    assert [e["text"] for e in stock_view(db_path, "b") if e["event"] == "user"] == ["hej", "från den andra", "tillbaka"]


def test_erased_conversation_is_gone_even_when_it_grows_back_to_the_same_size(db_path):
    store = DatabaseUrlTrackerStore(DOMAIN)
    new_conversation(store, "c")
    before = run(store.retrieve("c"))
    with sqlite3.connect(db_path) as connection:  # what erase_conversation does in the staff app
        connection.execute("DELETE FROM events WHERE sender_id = 'c'")
    assert run(store.retrieve("c")) is None
    # the same number of events again, possibly with the same (reused) SQLite ids
    new_conversation(store, "c")
    with sqlite3.connect(db_path) as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'c'")
    fresh = DatabaseUrlTrackerStore(DOMAIN)
    tracker = run(fresh.get_or_create_tracker("c", append_action_listen=False))
    turn(tracker, "helt ny", "ny")
    run(fresh.save(tracker))
    texts = [e.text for e in run(store.retrieve("c")).events if isinstance(e, UserUttered)]
    assert texts == ["helt ny"]
    assert len(before.events) > 0


def test_a_turn_that_was_never_saved_does_not_leak_into_the_next(db_path):
    store = DatabaseUrlTrackerStore(DOMAIN)
    new_conversation(store, "d")
    tracker = run(store.retrieve("d"))
    turn(tracker, "försvinner", "aldrig sparat")  # the turn fails before save
    again = run(store.retrieve("d"))
    assert "försvinner" not in [e.text for e in again.events if isinstance(e, UserUttered)]
    assert [e.as_dict() for e in again.events] == stock_view(db_path, "d")


def test_a_new_session_is_read_like_rasa_reads_it(db_path):
    store = DatabaseUrlTrackerStore(DOMAIN)
    new_conversation(store, "e")
    tracker = run(store.retrieve("e"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "ny session", "ja")
    run(store.save(tracker))
    assert [e.as_dict() for e in run(store.retrieve("e")).events] == stock_view(db_path, "e")


def test_unknown_sender_has_no_tracker(db_path):
    assert run(DatabaseUrlTrackerStore(DOMAIN).retrieve("nobody")) is None
