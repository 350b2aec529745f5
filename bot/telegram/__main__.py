"""Run the Telegram worker: ``python -m bot.telegram`` (docs/telegram.md).

Needs ``TELEGRAM_TOKEN``; without it, or when Telegram rejects it, the worker says so and
exits with code 2. While Telegram cannot be reached it keeps trying. The mode
(``TELEGRAM_MODE``: polling or webhook), the Bot API URL and the webhook settings come from
the environment (``bot.telegram.config``). SIGINT and SIGTERM stop it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

from bot.telegram.config import ConfigError, TelegramConfig

CONFIG_ERROR_EXIT_CODE = 2
MAX_START_PAUSE_SECONDS = 60.0
logger = logging.getLogger("bot.telegram")


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def run(config: TelegramConfig) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    worker = await start_when_telegram_answers(config, stop)
    if worker is None:
        return
    try:
        logger.info("Telegram worker running in %s mode; talking to Rasa at %s", config.mode, config.rasa_url)
        await stop.wait()
    finally:
        await worker.stop()


async def start_when_telegram_answers(config: TelegramConfig, stop: asyncio.Event):
    """The started worker; while Telegram cannot be reached, try again with growing pauses
    rather than exit (and take ``make run`` down with it). None if stopped meanwhile."""
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram.application import TelegramWorker

    pause = 1.0
    while not stop.is_set():
        worker = TelegramWorker.from_config(config)
        try:
            await worker.start()
            return worker
        except InvalidToken:
            raise
        except NetworkError as error:
            logger.warning("Telegram cannot be reached (%s); trying again in %.0f s", error, pause)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)
        pause = min(pause * 2, MAX_START_PAUSE_SECONDS)
    return None


def main() -> int:
    configure_logging()
    try:
        config = TelegramConfig.from_env()
    except ConfigError as error:
        print(f"bot.telegram: {error}", file=sys.stderr)
        return CONFIG_ERROR_EXIT_CODE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from telegram.error import InvalidToken

    try:
        asyncio.run(run(config))
    except InvalidToken:  # its message contains the token: say it in our own words
        print("bot.telegram: Telegram rejected TELEGRAM_TOKEN. Check the token with @BotFather "
              "(and TELEGRAM_BASE_URL, if you use a local Bot API server).", file=sys.stderr)
        return CONFIG_ERROR_EXIT_CODE
    return 0


if __name__ == "__main__":
    sys.exit(main())
