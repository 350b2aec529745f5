"""Rasa's SQL tracker store on the product's one database (``DATABASE_URL``), with a verified
in-memory cache of recently used conversations.

``endpoints.yml`` names this class, so Rasa, Django and the actions share one setting:
SQLite under ``var/`` by default (WAL, so the staff app can read while Rasa writes),
PostgreSQL in production.

Why a cache (docs/performance.md): Rasa's ``SQLTrackerStore.retrieve`` reads every event of the
conversation and turns each JSON row back into an ``Event`` for every message, several times
per message; profiled under load that was the largest part of a turn, and it grows with the
length of the conversation. This store keeps the events of recently used conversations in
memory and, before using them, asks the database for a cheap fingerprint of the sender's
rows: their number, the highest id and that row's timestamp (one query on the sender index).
Anything else that changed the rows makes the fingerprint differ and the conversation is read
again from the database:

* another Rasa instance sharing the database (behind the Redis lock store) answered a message;
* the staff app erased the conversation ("delete my data", retention) or the channel's cancel
  path wrote events: deleted rows lower the count, new rows raise the id and the timestamp
  (so even reused SQLite ids after a deletion cannot look the same);
* a turn failed before it was saved: trackers handed out are always fresh objects built from
  the cached events, so an unsaved change never reaches the cache.

``save`` appends only the new events (Rasa's own rule), and refreshes the cache only when the
rows it wrote are the only change since the tracker was read; otherwise it forgets the
conversation, and the next ``retrieve`` reads it from the database.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import settings

logger = logging.getLogger(__name__)

# Conversations kept in memory (least recently used go first). A long conversation's events
# take some 100–300 kB as Python objects, so the default bounds the cache to roughly 100 MB.
CACHE_SIZE = int(os.environ.get("TRACKER_CACHE_SIZE", "500"))

Fingerprint = Tuple[int, Optional[int], Optional[float]]  # (row count, max id, that row's timestamp)
# Attributes on trackers handed out: the fingerprint they were read (or last saved) at, and how
# many of their events the database holds then.
_ORIGIN = "_newcomer_tracker_origin"
_STORED = "_newcomer_stored_events"


@dataclass(frozen=True)
class _Cached:
    fingerprint: Fingerprint
    events: tuple  # the events ``retrieve`` would rebuild from the database


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` configured from ``DATABASE_URL``, with a verified cache (see module docstring)."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None, **kwargs: Any) -> None:
        config = settings.database()
        super().__init__(
            domain=domain,
            dialect=config.dialect,
            host=config.host,
            port=config.port,
            db=config.name,
            username=config.user,
            password=config.password,
            **kwargs,
        )
        self._cache: "collections.OrderedDict[str, _Cached]" = collections.OrderedDict()
        self._cache_lock = threading.Lock()  # the HTTP API may call from executor threads
        self.cache_hits = self.cache_misses = 0
        if config.dialect == "sqlite":
            self._configure_sqlite()

    def _configure_sqlite(self) -> None:
        # SQLAlchemy opens a new SQLite connection for every session by default (NullPool);
        # with the PRAGMAs below that was about a tenth of the server's time per message.
        # A small pool of connections, each set up once, serves the event loop and the threads.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
                                       pool_pre_ping=False, connect_args={"check_same_thread": False})
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

        # WAL: the staff app reads while Rasa writes. synchronous=NORMAL is the setting
        # SQLite recommends with WAL: no corruption on a crash, and no fsync per message.
        @sa.event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            dbapi_connection.execute("PRAGMA busy_timeout=20000")

        with self.engine.connect() as connection:
            connection.execute(sa.text("PRAGMA journal_mode=WAL"))

    # -- the fingerprint -------------------------------------------------------------------

    _FINGERPRINT = sa.text(
        # count and max(id) come from the sender_id index alone; the newest row's timestamp is
        # one more lookup (a max over all timestamps would read every row of the conversation).
        "SELECT c, m, (SELECT timestamp FROM events WHERE id = m) FROM "
        "(SELECT count(id) AS c, max(id) AS m FROM events WHERE sender_id = :sender_id) AS fingerprint"
    )

    def _fingerprint(self, session, sender_id: str) -> Fingerprint:
        count, max_id, timestamp = session.execute(self._FINGERPRINT, {"sender_id": sender_id}).one()
        return int(count or 0), max_id, timestamp

    def _remember(self, sender_id: str, fingerprint: Fingerprint, events) -> None:
        if CACHE_SIZE <= 0:
            return
        with self._cache_lock:
            self._cache[sender_id] = _Cached(fingerprint, tuple(events))
            self._cache.move_to_end(sender_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _forget(self, sender_id: str) -> None:
        with self._cache_lock:
            self._cache.pop(sender_id, None)

    def _tracker(self, sender_id: str, events, fingerprint: Fingerprint) -> DialogueStateTracker:
        """A fresh tracker (its own slots and event list) from events, marked with its origin."""
        tracker = DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        setattr(tracker, _ORIGIN, fingerprint)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    # -- Rasa's interface ------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The tracker of the latest session, from memory when the database has not changed."""
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
            with self._cache_lock:
                cached = self._cache.get(sender_id)
                if cached is not None:
                    self._cache.move_to_end(sender_id)
            if cached is not None and cached.fingerprint == fingerprint and self.domain:
                self.cache_hits += 1
                return self._tracker(sender_id, cached.events, fingerprint)
            self.cache_misses += 1
            if not fingerprint[0]:
                self._forget(sender_id)
                return None
            # Read after the fingerprint: if someone writes in between, the cached fingerprint
            # is older than the events, so it only causes one more read later, never a stale one.
            import json

            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not self.domain or not rows:
                return None
            tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows],
                                                     self.domain.slots)
        self._remember(sender_id, fingerprint, tracker.events)
        setattr(tracker, _ORIGIN, fingerprint)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's new events (Rasa's rule), then refresh or drop the cached copy."""
        import json

        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            before = self._fingerprint(session, sender_id)
            unchanged_since_read = getattr(tracker, _ORIGIN, None) == before
            if unchanged_since_read:
                # The database holds exactly what this tracker was read or saved with: the
                # events after those are new (what Rasa's count query would find, one query less).
                new_events = list(tracker.events)[getattr(tracker, _STORED):]
            else:
                new_events = list(self._additional_events(session, tracker))
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append({
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:
                # One INSERT for all rows, in event order (ids ascend as Rasa's reads expect),
                # instead of the ORM's one statement and object per event.
                session.execute(self.SQLEvent.__table__.insert(), rows)
            after = self._fingerprint(session, sender_id) if new_events else before
            session.commit()
        # Cache only what is certainly the database's content: the tracker was read at the
        # state we found, only our rows were added, and no new session began (a new session
        # changes which events ``retrieve`` returns; the next read gets them right).
        only_ours = after[0] == before[0] + len(new_events)
        new_session = any(isinstance(event, SessionStarted) for event in new_events)
        if unchanged_since_read and only_ours and not new_session:
            self._remember(sender_id, after, tracker.events)
            setattr(tracker, _ORIGIN, after)
            setattr(tracker, _STORED, len(tracker.events))
        else:
            self._forget(sender_id)
            setattr(tracker, _ORIGIN, None)  # saved again later: Rasa's count decides
        logger.debug("tracker of %s saved (%d new events)", sender_id, len(new_events))
