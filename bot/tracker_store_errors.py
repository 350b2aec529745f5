"""Tracker store errors reach the channel instead of being swallowed by Rasa.

Rasa wraps every tracker store in ``FailSafeTrackerStore``: when the database fails, it logs,
answers from an EMPTY tracker (the conversation's language and municipality forgotten) and
saves the turn into an in-memory store of that one process. Measured with the scale-out
profile (tests/test_scaled.py): PostgreSQL stopped, the user got a normal-looking reply asking
for their municipality again, and the message never reached the database — lost for the
transcripts, and invisible to every other Rasa server.

With ``apply()``, the error propagates instead: Rasa releases the conversation's lock, our
REST channel (bot/channels.py) answers with the apology in the user's language, the client
sends again, and the message is stored once when the database is back. Applied in the Rasa
server by ``bot.channels`` and ``bot.lock_store`` (whichever loads first; idempotent).
"""

from __future__ import annotations

from rasa.core.tracker_store import FailSafeTrackerStore

_applied = False


def _raise(self: FailSafeTrackerStore, error: Exception) -> None:
    if self._on_tracker_store_error:
        self._on_tracker_store_error(error)
    raise error


def apply() -> None:
    """Make ``FailSafeTrackerStore`` re-raise instead of falling back to memory."""
    global _applied
    if _applied:
        return
    # Both hooks are called inside ``except`` blocks before the fallback: raising from them
    # skips the in-memory fallback for retrieve, keys and save alike.
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _raise
    FailSafeTrackerStore.on_tracker_store_error = _raise
    _applied = True
