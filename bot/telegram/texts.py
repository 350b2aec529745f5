"""What the Telegram layer says itself, as catalog strings (``N_``, translated with
``bot.i18n.translate``).

Strings the assistant already has (greeting, help, the questions for language and
municipality, "Talk to a person") are reused from ``bot.answers`` so that a user reads the
same sentence on every front end and translators translate it once.
"""

from bot.answers import ASK_MUNICIPALITY, CHOOSE_LANGUAGE, GREET, HELP, TALK_TO_PERSON
from bot.i18n import N_

__all__ = [
    "ASK_MUNICIPALITY", "CHOOSE_LANGUAGE", "GREET", "HELP", "TALK_TO_PERSON",
    "QUEUED_APOLOGY", "FAILED_APOLOGY", "NOT_TEXT", "LOCATION_NOT_USED", "OTHER_MUNICIPALITY",
    "OTHER_MUNICIPALITY_HINT", "STALE_BUTTON", "COMMANDS_HEADER", "COMMAND_DESCRIPTIONS",
]

# Rasa did not answer; the message is kept and answered later (bot.telegram.relay).
QUEUED_APOLOGY = N_("Sorry, I cannot answer right now. I have kept your message and will answer it as soon as I can.")
# Something failed that a retry will not fix. The same msgid as bot.channels.APOLOGY (one
# catalog entry); not imported from there because that module loads the Rasa server code.
FAILED_APOLOGY = N_("Sorry, something went wrong on our side. Please send your message again in a moment.")
NOT_TEXT = N_("Thank you! I cannot open pictures, voice messages, stickers or files. I can only read text: please write your question in words, in Swedish, Arabic or Dari.")
LOCATION_NOT_USED = N_("Thank you! I cannot use a location. Please write the name of your municipality or your postal code instead, for example “Nacka” or “131 30”.")
# TRANSLATORS: a button below the list of municipalities; short.
OTHER_MUNICIPALITY = N_("Another municipality")
OTHER_MUNICIPALITY_HINT = N_("Just write the name of your municipality or your postal code, for example “Kiruna” or “981 31”.")
# TRANSLATORS: shown briefly at the top of the chat when an old button is pressed.
STALE_BUTTON = N_("This button no longer works. Please write your question instead.")
COMMANDS_HEADER = N_("Commands:")

# TRANSLATORS: descriptions of the bot's commands in Telegram's menu and in the help text.
COMMAND_DESCRIPTIONS = {
    "start": N_("Start again: choose language and municipality"),
    "language": N_("Choose the language"),
    "municipality": N_("Choose your municipality"),
    "human": TALK_TO_PERSON,
    "help": N_("What I can do"),
}
