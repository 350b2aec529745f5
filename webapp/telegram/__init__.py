"""Telegram front end, the web side: the webhook route, its durable inbox, the queue of
messages waiting for the assistant, and the lookup table for long button payloads.

The worker that talks to Telegram and Rasa is ``bot.telegram`` (``python -m bot.telegram``);
it reads and writes these tables through ``bot.telegram.store``.
"""
