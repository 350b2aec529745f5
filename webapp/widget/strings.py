"""The web widget's own UI strings (title, labels, status texts), in one place.

They are marked with ``N_`` so that ``make locales`` extracts them into the Babel catalogs
with every other fixed string of the product, and ``/widget/strings/<language>.json``
(``webapp.widget.views``) serves them translated to the widget. The keys are what
``newcomer-widget.js`` looks the texts up by.
"""

from __future__ import annotations

from typing import Dict, List

from bot.i18n import N_, translate
from bot.language import LANGUAGES, NATIVE_NAMES, RIGHT_TO_LEFT

UI_STRINGS = {
    # TRANSLATORS: web chat widget: heading of the chat panel.
    "title": N_("Questions about SFI, housing and school"),
    # TRANSLATORS: web chat widget: name of the round chat button while the chat is closed.
    "open": N_("Open the chat"),
    # TRANSLATORS: web chat widget: name of the buttons that close the chat panel.
    "close": N_("Close the chat"),
    # TRANSLATORS: web chat widget: label of the language menu.
    "language": N_("Language"),
    # TRANSLATORS: web chat widget: button that forgets this conversation and starts again.
    "restart": N_("New conversation"),
    # TRANSLATORS: web chat widget: name of the list of messages, for screen readers.
    "conversation": N_("Conversation"),
    # TRANSLATORS: web chat widget: label of the text box (read by screen readers).
    "message": N_("Your message"),
    # TRANSLATORS: web chat widget: grey hint inside the empty text box.
    "placeholder": N_("Write your question here…"),
    # TRANSLATORS: web chat widget: button that sends the message.
    "send": N_("Send"),
    # TRANSLATORS: web chat widget: status while it tries to reach the assistant again.
    "connecting": N_("Connecting…"),
    # TRANSLATORS: web chat widget: status when there is no connection; it retries by itself.
    "offline": N_("Offline – trying again"),
    # TRANSLATORS: web chat widget: status shown for a moment when the connection is back.
    "reconnected": N_("Connected again"),
    # TRANSLATORS: web chat widget: typing indicator while the assistant prepares its answer.
    "typing": N_("The assistant is writing…"),
    # TRANSLATORS: web chat widget: under a message that is waiting for the connection.
    "pending": N_("Not sent yet – it will be sent when the connection is back"),
    # TRANSLATORS: web chat widget: under a message that the server refused.
    "failed": N_("This message could not be sent."),
    # TRANSLATORS: web chat widget: said by screen readers before each of the user's messages.
    "you": N_("You:"),
    # TRANSLATORS: web chat widget: said by screen readers before each of the assistant's messages.
    "assistant": N_("Assistant:"),
    # TRANSLATORS: web chat widget: shown above a message a staff member (a person, not the
    # assistant) wrote, followed by their name.
    "staff": N_("Staff member"),
    # TRANSLATORS: web chat widget: shown instead of sending when a (pasted) message is too long;
    # the message stays in the text box. {count} and {limit} are numbers of characters.
    "too_long": N_("Your message has {count} characters, but at most {limit} can be sent. "
                   "Please shorten it or send it in parts. Your text is still in the box."),
    # TRANSLATORS: web chat widget: shown after "delete my data": the conversation is gone from
    # the server and from this device (screen and browser storage), and a new one has begun.
    "erased": N_("Your conversation has been deleted from our server and from this device. "
                 "A new conversation has started."),
    # TRANSLATORS: web chat widget: said by screen readers after a link.
    "new_window": N_("(opens in a new window)"),
}


def ui_strings(language: str) -> Dict[str, str]:
    """Every UI string of the widget in ``language``, keyed as the widget looks them up."""
    return {key: translate(language, msgid) for key, msgid in UI_STRINGS.items()}


def text_direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def language_choices() -> List[Dict[str, str]]:
    """The language picker's entries, each language in its own name."""
    return [{"code": code, "name": NATIVE_NAMES[code], "dir": text_direction(code)} for code in LANGUAGES]
