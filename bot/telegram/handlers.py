"""What the bot does with each kind of update: commands, text, other messages, buttons.

Everything the user asks goes to the assistant through the ``Relay``; the handlers here only
speak themselves for what the assistant cannot see: the welcome with its pickers, help, the
pickers again (/language, /municipality), attachments and locations, stale buttons, errors.
"""

from __future__ import annotations

import logging
from typing import Optional

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.i18n import translate
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.telegram import texts
from bot.telegram.keyboards import LOCAL_PREFIX, OTHER_MUNICIPALITY_ACTION, language_keyboard, municipality_keyboard, payload_for
from bot.telegram.relay import ChatRef, Relay

logger = logging.getLogger(__name__)

RELAY = "relay"
HUMAN_PAYLOAD = "/request_human"  # the assistant's request_human intent runs its hand-off hook
COMMANDS = ("start", "language", "municipality", "human", "help")
# The bot answers people one to one; in a group everybody would share one conversation.
PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# Telegram's own codes for the menu of commands in each language ("fa" covers Dari users).
MENU_LANGUAGE_CODES = {"sv": "sv", "ar": "ar", "fa_AF": "fa"}


def relay_of(context: ContextTypes.DEFAULT_TYPE) -> Relay:
    return context.application.bot_data[RELAY]


# -- commands ---------------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets in the user's language and offers buttons for language and municipality."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    language = await relay.language_of(chat)
    if language:
        welcome = translate(language, texts.GREET) + "\n\n" + translate(language, texts.CHOOSE_LANGUAGE)
        await relay.say(chat.chat_id, welcome, language, keyboard=language_keyboard())
    else:  # an app in another language: say it in all three (each line finds its own direction)
        welcome = "\n\n".join(translate(code, texts.GREET) + "\n" + translate(code, texts.CHOOSE_LANGUAGE)
                              for code in LANGUAGES)
        await relay.say(chat.chat_id, welcome, keyboard=language_keyboard())
    await ask_municipality(relay, chat, language)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains what the bot can do and lists its commands."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    language = await relay.language_or_default(chat)
    commands = "\n".join(f"/{name} – {translate(language, texts.COMMAND_DESCRIPTIONS[name])}" for name in COMMANDS)
    await relay.say(chat.chat_id, f"{translate(language, texts.HELP)}\n\n{translate(language, texts.COMMANDS_HEADER)}\n{commands}",
                    language)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offers the three languages again."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    language = await relay.language_or_default(chat)
    await relay.say(chat.chat_id, translate(language, texts.CHOOSE_LANGUAGE), language, keyboard=language_keyboard())


async def municipality_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offers the municipalities again."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    await ask_municipality(relay, chat, await relay.language_of(chat))


async def ask_municipality(relay: Relay, chat: ChatRef, language: Optional[str]) -> None:
    language = language or DEFAULT_LANGUAGE
    await relay.say(chat.chat_id, translate(language, texts.ASK_MUNICIPALITY), language,
                    keyboard=await municipality_keyboard(language))


async def human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Asks the assistant for a person, so that its hand-off runs."""
    await relay_of(context).forward(ChatRef.from_update(update), HUMAN_PAYLOAD)


# -- messages ---------------------------------------------------------------------------------

async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends what the user wrote to the assistant and its replies back."""
    await relay_of(context).forward(ChatRef.from_update(update), update.message.text)


async def location_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says that a location cannot be used and asks for the municipality's name or postal code."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    language = await relay.language_or_default(chat)
    await relay.say(chat.chat_id, translate(language, texts.LOCATION_NOT_USED), language)


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains that only text is read; a caption, being text, still goes to the assistant."""
    relay, chat = relay_of(context), ChatRef.from_update(update)
    language = await relay.language_or_default(chat)
    await relay.say(chat.chat_id, translate(language, texts.NOT_TEXT), language)
    caption = update.message.caption
    if caption and caption.strip():
        await relay.forward(chat, caption)


# -- buttons ----------------------------------------------------------------------------------

async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledges a pressed button and sends its payload on as the user's message."""
    query = update.callback_query
    if update.effective_chat is None:  # a button of an inline-mode message; the bot sends none
        await query.answer()
        return
    relay, chat = relay_of(context), ChatRef.from_update(update)
    payload = await payload_for(query.data or "")
    if payload is None or (payload.startswith(LOCAL_PREFIX) and payload != OTHER_MUNICIPALITY_ACTION):
        await query.answer(translate(await relay.language_or_default(chat), texts.STALE_BUTTON))
        return
    await query.answer()
    if payload == OTHER_MUNICIPALITY_ACTION:
        language = await relay.language_or_default(chat)
        await relay.say(chat.chat_id, translate(language, texts.OTHER_MUNICIPALITY_HINT), language)
        return
    await relay.forward(chat, payload)


# -- errors -----------------------------------------------------------------------------------

async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs what went wrong, with the traceback, and tells the user something failed."""
    logger.error("handling update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    relay, chat = relay_of(context), ChatRef.from_update(update)
    try:
        language = await relay.language_or_default(chat)
        await relay.say(chat.chat_id, translate(language, texts.FAILED_APOLOGY), language)
    except TelegramError:  # Telegram itself is what failed, or the user blocked the bot
        logger.warning("could not tell chat %s about the error", chat.chat_id)


# -- wiring -----------------------------------------------------------------------------------

def add_handlers(application: Application) -> None:
    """Register every handler in the order they are tried, and the error handler."""
    application.add_handler(CommandHandler("start", start, filters=PRIVATE_MESSAGES))
    application.add_handler(CommandHandler("help", help_command, filters=PRIVATE_MESSAGES))
    application.add_handler(CommandHandler("language", language_command, filters=PRIVATE_MESSAGES))
    application.add_handler(CommandHandler("municipality", municipality_command, filters=PRIVATE_MESSAGES))
    application.add_handler(CommandHandler("human", human, filters=PRIVATE_MESSAGES))
    # Any other command: the user is looking for what the bot can do.
    application.add_handler(MessageHandler(PRIVATE_MESSAGES & filters.COMMAND, help_command))
    application.add_handler(MessageHandler(PRIVATE_MESSAGES & filters.TEXT, text_message))
    application.add_handler(MessageHandler(PRIVATE_MESSAGES & (filters.LOCATION | filters.VENUE), location_message))
    application.add_handler(MessageHandler(PRIVATE_MESSAGES & ~filters.StatusUpdate.ALL, other_message))
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_error_handler(on_error)


def menu_commands(language: str) -> list:
    """The commands with their descriptions in ``language``, for Telegram's menu."""
    return [BotCommand(name, translate(language, texts.COMMAND_DESCRIPTIONS[name])) for name in COMMANDS]


async def publish_menu(application: Application) -> None:
    """Show the commands in Telegram's menu in each language; Swedish for everyone else."""
    try:
        await application.bot.set_my_commands(menu_commands(DEFAULT_LANGUAGE))
        for language, telegram_code in MENU_LANGUAGE_CODES.items():
            await application.bot.set_my_commands(menu_commands(language), language_code=telegram_code)
    except TelegramError as error:  # a missing menu is no reason not to answer people
        logger.warning("could not publish the command menu: %s", error)
