"""The python-telegram-bot ``Application`` of the front end, and the worker that runs it.

``build_application`` makes the Application: Bot API base URL (so a local Bot API server or a
test's fake can stand in), link previews off, the retry policy for Bot API errors, updates of
different chats handled concurrently (each chat's in order, see ``Relay``), the handlers.

``TelegramWorker`` runs it in one of two modes (CONTRACT.md):

* ``polling``: PTB's updater long-polls ``getUpdates``; no port needed.
* ``webhook``: at start the worker calls ``setWebhook`` with the public URL and the secret;
  the web app's ``/telegram/webhook`` stores updates in the inbox table and the worker feeds
  them to ``application.process_update`` in ``update_id`` order, marking each one processed.

In both modes the redelivery loop sends messages kept while Rasa was down, and the hand-off
outbox loop (``bot.telegram.outbox``) sends what staff write.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from typing import Any, Dict, List, Optional

from telegram import LinkPreviewOptions, Update
from telegram.ext import Application, Defaults

from bot.municipalities import directory
from bot.telegram import handlers, store
from bot.telegram.config import DEFAULT_BASE_URL, POLLING, WEBHOOK, TelegramConfig, file_url_for
from bot.telegram.rasa_client import RasaClient
from bot.telegram.relay import Relay
from bot.telegram.retries import RetryingRateLimiter

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
KEEP_FINISHED_ROWS = dt.timedelta(days=7)
HOUSEKEEPING_SECONDS = 3600


def build_application(token: str, base_url: str = DEFAULT_BASE_URL, rasa_url: str = "http://127.0.0.1:5005",
                      rasa_token: str = "", base_file_url: Optional[str] = None,
                      rate_limiter: Optional[RetryingRateLimiter] = None, **relay_options: Any) -> Application:
    """The Application with every handler; ``relay_options`` tune the redelivery loop
    (``idle_check_seconds``, ``first_retry_seconds``, ``max_retry_seconds``)."""
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url or file_url_for(base_url))
        # Answers carry links to municipalities' pages; a preview card under each would bury the text.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(rate_limiter or RetryingRateLimiter())
        .concurrent_updates(True)
        .job_queue(None)  # nothing is scheduled; the worker's loops are plain tasks
        .build()
    )
    application.bot_data[handlers.RELAY] = Relay(application.bot, RasaClient(rasa_url, rasa_token), **relay_options)
    handlers.add_handlers(application)
    return application


def application_from_config(config: TelegramConfig, **relay_options: Any) -> Application:
    return build_application(config.token, base_url=config.base_url, rasa_url=config.rasa_url,
                             rasa_token=config.rasa_token, base_file_url=config.base_file_url, **relay_options)


class TelegramWorker:
    """Runs the Application in polling or webhook mode with its background loops.

    Use as ``async with TelegramWorker(app, ...):`` or call ``start``/``stop``.
    """

    def __init__(self, application: Application, mode: str = POLLING, webhook_url: Optional[str] = None,
                 webhook_secret: Optional[str] = None, poll_timeout_seconds: int = 10,
                 inbox_check_seconds: float = 0.5):
        self.application = application
        self.mode = mode
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_timeout_seconds = poll_timeout_seconds
        self.inbox_check_seconds = inbox_check_seconds
        self._tasks: List[asyncio.Task] = []

    @classmethod
    def from_config(cls, config: TelegramConfig, **options: Any) -> "TelegramWorker":
        return cls(application_from_config(config), mode=config.mode, webhook_url=config.webhook_url,
                   webhook_secret=config.webhook_secret, **options)

    @property
    def relay(self) -> Relay:
        return self.application.bot_data[handlers.RELAY]

    async def __aenter__(self) -> "TelegramWorker":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.stop()

    async def start(self) -> None:
        """Connect to Telegram, start receiving updates and the background loops; on failure
        release what was set up and raise."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        await asyncio.to_thread(directory)  # load the municipality names once, off the event loop
        await self.application.initialize()
        await handlers.publish_menu(self.application)
        await self.application.start()
        if self.mode == WEBHOOK:
            await self.application.bot.set_webhook(url=self.webhook_url, secret_token=self.webhook_secret,
                                                   allowed_updates=ALLOWED_UPDATES)
            logger.info("webhook set to %s; processing the inbox", self.webhook_url)
            self._tasks.append(asyncio.create_task(self._consume_inbox(), name="telegram-inbox"))
        else:
            await self.application.updater.start_polling(timeout=self.poll_timeout_seconds,
                                                         allowed_updates=ALLOWED_UPDATES)
            logger.info("polling Telegram for updates")
        self._tasks.append(asyncio.create_task(self.relay.run_redelivery(), name="telegram-redelivery"))
        from bot.telegram.outbox import run_outbox  # staff replies and hand-off notices

        self._tasks.append(asyncio.create_task(run_outbox(self.relay), name="telegram-handoff-outbox"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="telegram-housekeeping"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.relay.close()

    # -- webhook inbox ------------------------------------------------------------------------
    async def _consume_inbox(self) -> None:
        while True:
            try:
                processed = await self.process_inbox()
            except Exception:  # the database, or a bug: log it, keep consuming
                logger.exception("processing the webhook inbox failed")
                processed = 0
            if not processed:
                await asyncio.sleep(self.inbox_check_seconds)

    async def process_inbox(self) -> int:
        """Process waiting webhook updates: chats side by side, each chat's in update order."""
        by_chat: Dict[Any, List[tuple]] = defaultdict(list)
        for row in await store.waiting_updates():
            try:
                update = Update.de_json(row["payload"], self.application.bot)
            except Exception:  # not an update PTB can read: never let it block the inbox
                logger.exception("inbox row %s is not a readable update; skipped", row["id"])
                await store.mark_update_processed(row["id"])
                continue
            chat = update.effective_chat.id if update.effective_chat else ("update", update.update_id)
            by_chat[chat].append((row["id"], update))
        await asyncio.gather(*(self._process_in_order(rows) for rows in by_chat.values()))
        return sum(len(rows) for rows in by_chat.values())

    async def _process_in_order(self, rows: List[tuple]) -> None:
        for row_id, update in rows:
            # process_update hands a handler's exception to the error handler, so this returns
            # once the update has been dealt with one way or the other.
            await self.application.process_update(update)
            await store.mark_update_processed(row_id)

    # -- housekeeping -------------------------------------------------------------------------
    async def _housekeeping(self) -> None:
        while True:
            try:
                removed = await store.purge_finished(KEEP_FINISHED_ROWS)
                if removed:
                    logger.info("removed %d processed inbox rows and delivered messages", removed)
            except Exception:
                logger.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
