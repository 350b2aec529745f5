"""A failing tracker store reaches the channel (bot/tracker_store_errors.py): Rasa must not
answer from an empty tracker and keep the turn in one process's memory."""

import asyncio

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store_errors


class DatabaseDown(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("database down")

    async def save(self, tracker):
        raise ConnectionError("database down")


def test_database_errors_propagate_instead_of_a_silent_in_memory_fallback():
    tracker_store_errors.apply()
    tracker_store_errors.apply()  # idempotent: both the channel and the lock store call it
    store = FailSafeTrackerStore(DatabaseDown(Domain.empty()))
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hej")])
    with pytest.raises(ConnectionError):
        asyncio.run(store.retrieve("someone"))
    with pytest.raises(ConnectionError):
        asyncio.run(store.save(tracker))
    assert asyncio.run(store.fallback_tracker_store.retrieve("someone")) is None, "nothing kept in memory"


def test_a_configured_error_callback_still_runs_first():
    seen = []
    store = FailSafeTrackerStore(DatabaseDown(Domain.empty()), on_tracker_store_error=seen.append)
    tracker_store_errors.apply()
    with pytest.raises(ConnectionError):
        asyncio.run(store.retrieve("someone"))
    assert [str(e) for e in seen] == ["database down"]
