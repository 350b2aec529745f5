"""The Telegram front end: a worker that connects a Telegram bot to the assistant.

    python -m bot.telegram        # needs TELEGRAM_TOKEN; see docs/telegram.md

Every text message and button press goes to Rasa's REST channel as sender
``telegram-<chat_id>`` with ``metadata.channel = "telegram"``; the assistant's replies come
back in order, its buttons as inline keyboards. The conversation's state (language,
municipality) lives only in the Rasa tracker: choices made with the bot's own buttons are
sent as ``/switch_language{…}`` and ``/inform_municipality{…}`` payloads.

Modules:

* ``config``: settings from the environment (token, mode, Bot API URL, webhook, Rasa).
* ``application``: ``build_application`` (the PTB ``Application`` with its handlers) and
  ``TelegramWorker`` (polling, or the webhook inbox; the redelivery loop).
* ``handlers``: what each command, message and button does.
* ``relay``: the way to the assistant and back, with the queue for when Rasa is down.
* ``rasa_client``, ``store`` (database tables), ``keyboards``, ``formatting`` (isolates,
  splitting), ``retries`` (429 and transient Bot API errors), ``texts`` (translatable strings).

The webhook route itself is a Django view on the web app (``webapp/telegram/``).
"""
