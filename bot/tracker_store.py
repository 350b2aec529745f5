"""Rasa's SQL tracker store on the product's one database (``DATABASE_URL``).

``endpoints.yml`` names this class, so Rasa, Django and the actions share one setting:
SQLite under ``var/`` by default (WAL, so the staff app can read while Rasa writes),
PostgreSQL in production.
"""

from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot import settings


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` configured from ``DATABASE_URL`` instead of separate fields."""

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
        if config.dialect == "sqlite":
            import sqlalchemy as sa

            # WAL: the staff app reads while Rasa writes. synchronous=NORMAL is the setting
            # SQLite recommends with WAL: no corruption on a crash, and no fsync per message.
            @sa.event.listens_for(self.engine, "connect")
            def _on_connect(dbapi_connection, _record):
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")
                dbapi_connection.execute("PRAGMA busy_timeout=20000")

            with self.engine.connect() as connection:
                connection.execute(sa.text("PRAGMA journal_mode=WAL"))
