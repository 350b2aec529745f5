"""The REST channel (``/webhooks/rest/webhook``, CONTRACT.md) with the product's guarantees.

Rasa's own REST channel answers a malformed request with a 500 and returns an empty list
when an action fails, so a newcomer would see nothing. This channel, registered in
``credentials.yml`` under the same name and URL:

* answers malformed requests (not JSON, no sender, a message that is not text) with a 400 and
  a plain explanation, never a 5xx;
* lets each channel own its ids (``bot.web_sessions``): a caller holding the Rasa token
  (``?token=`` or ``Authorization: Bearer``: the Telegram worker, operators' scripts, tests) may
  use any id that matches ``SENDER_PATTERN``; an anonymous caller only a ``web-…`` id it got
  from ``POST /webhooks/rest/session``, with that id's signature as ``"session"`` in the body
  (otherwise 403, explained in the user's language);
* keeps only the metadata the product understands (``language``, ``municipality``, and
  ``channel``: ``web`` or ``telegram`` for the front ends that post here, recorded as the
  message's input channel so transcripts show where a conversation happened);
* validates ``/intent{…}`` payloads (``bot.payloads``): entities only with known names and
  valid values, for every caller, so no slot ever holds a dict or an unknown code; and from a
  newcomer only the payloads of the buttons the bot offered last (or the front ends' own), any
  other is answered with a request to write the question instead and never executed;
* redacts personnummer, phone numbers, e-mail addresses and case numbers before Rasa sees the
  message (``bot.redaction``), so they never reach the tracker store or the logs;
* erases the conversation after the turn in which the user confirmed "delete my data", once
  Rasa has saved it (``webapp.privacy.rasa_turn``);
* bounds what is stored: a message longer than ``STORED_MESSAGE_CHARS`` is cut (the bot then
  asks for a shorter message), so a 1 MB post cannot bloat the tracker store;
* slows down a sender who floods one conversation (``bot.rate_limit``: a token bucket per
  sender, and for anonymous callers one per client address, so fresh ids do not help): the message is not passed to Rasa and the reply, in the user's language, asks them
  to wait a few seconds and send it again (with a ``Retry-After`` header);
* never returns an empty answer: if nothing came back (the action server is down, an error),
  the user gets a short apology in their language and is asked to send the message again;
* while a person has the conversation (the tracker is paused, ``bot.handoff``), Rasa records the
  user's messages for the staff member but answers nothing, so this channel acknowledges them
  instead; the cancel button or word ("avbryt", "إلغاء", "لغو") closes the ticket, resumes the
  bot and says that it is back.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import handoff, rasa_speedups, tracker_store_errors
from bot.rate_limit import address_limiter_from_environment, client_address, trusted_proxies
from bot.rate_limit import from_environment as rate_limiter_from_environment
from bot.i18n import N_, translate
from bot.language import DEFAULT_LANGUAGE, MAX_MESSAGE_CHARS, canonical_language, choose_reply_language, to_ascii_digits
from bot.redaction import redact
from bot import payloads, web_sessions
from webapp.privacy.rasa_turn import ErasingCollector, erase_after_turn

logger = logging.getLogger(__name__)

STORED_MESSAGE_CHARS = 4 * MAX_MESSAGE_CHARS
MAX_SENDER_CHARS = 128  # = the longest id web_sessions.SENDER_PATTERN allows
_MUNICIPALITY_CODE = re.compile(r"^[0-9]{4}$")
# JSON may spell lone UTF-16 surrogates ("\ud800"); Python keeps them, but they cannot be
# encoded as UTF-8, so stored in a transcript they would break every page that shows it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
FRONT_END_CHANNELS = frozenset({"web", "telegram"})
CLIENT_KEY = "client_key"  # metadata the channel adds for anonymous callers (bot.web_sessions.address_key)

rasa_speedups.apply()
tracker_store_errors.apply()  # a database error → the apology and a retry, never a forgotten turn

# The key in a reply's ``custom`` that says the conversation was just erased on the server.
ERASED = "erased"

APOLOGY = N_("Sorry, something went wrong on our side. Please send your message again in a moment.")
# TRANSLATORS: the web chat sent a message without a valid session (e.g. an old or copied page).
NO_SESSION = N_("This chat session is not valid any more. Please reload the page and write again.")
# TRANSLATORS: a newcomer sent a button payload the bot did not offer (an old or a forged button).
NOT_OFFERED = N_("This button no longer works. Please write your question instead.")
# TRANSLATORS: the user sent many messages within seconds (no count: it would need plurals).
SLOW_DOWN = N_("You are sending messages faster than I can read them. "
               "Please wait a few seconds and then send your message again.")


class BadRequest(ValueError):
    """The request cannot be processed; the text says why, for the client's developer."""


def parse_payload(payload: Any) -> Dict[str, Any]:
    """The sender, message and metadata of a REST request, validated and bounded."""
    if not isinstance(payload, dict):
        raise BadRequest("The body must be a JSON object: {\"sender\": \"...\", \"message\": \"...\"}.")
    sender = payload.get("sender")
    if isinstance(sender, (int, float)) and not isinstance(sender, bool):
        sender = str(sender)
    if isinstance(sender, str):
        sender = _LONE_SURROGATE.sub("\ufffd", sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"\"sender\" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.")
    if not web_sessions.valid_sender(sender):
        # One strict pattern for every id: it needs no escaping in URLs, paths or logs, so
        # the staff app, the hand-off and Rasa's HTTP API all see the same id.
        raise BadRequest("\"sender\" may contain only letters A-Z and a-z, digits, \"_\", \"-\" and "
                         f"\".\" (not first), at most {MAX_SENDER_CHARS} characters.")
    message = payload.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise BadRequest("\"message\" must be a string.")
    message = _LONE_SURROGATE.sub("\ufffd", message[:STORED_MESSAGE_CHARS])
    session = payload.get("session")
    return {"sender": sender, "message": payloads.clean_payload(redact(message)),
            "metadata": clean_metadata(payload.get("metadata")),
            "session": session if isinstance(session, str) else None}


def clean_metadata(metadata: Any) -> Dict[str, str]:
    """Only what the product uses: a known language, a 4-digit municipality code, a front end."""
    if not isinstance(metadata, dict):
        return {}
    cleaned = {}
    language = canonical_language(metadata.get("language"))
    if language:
        cleaned["language"] = language
    municipality = metadata.get("municipality")
    if isinstance(municipality, int) and not isinstance(municipality, bool):
        municipality = f"{municipality:04d}"
    if isinstance(municipality, str):
        municipality = to_ascii_digits(municipality.strip())  # "١٣٨٣" and "۱۳۸۳" are 1383 too
        if _MUNICIPALITY_CODE.match(municipality):
            cleaned["municipality"] = municipality
    channel = metadata.get("channel")
    if isinstance(channel, str) and channel in FRONT_END_CHANNELS:  # a list or dict is unhashable
        cleaned["channel"] = channel
    return cleaned


class NewcomerRestInput(RestInput):
    """Rasa's REST channel with validation and a guaranteed reply (see module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("newcomer_rest_webhook", __name__)
        rate_limiter = rate_limiter_from_environment()  # one per Rasa process (bot/rate_limit.py)
        address_limiter = address_limiter_from_environment()  # anonymous callers, per client address
        proxies = trusted_proxies()

        def address_of(request: Request) -> str:
            return client_address(request.ip, request.headers.get("x-forwarded-for"), proxies)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request):
            return response.json({"status": "ok"})

        @webhook.route("/session", methods=["POST"])
        async def new_session(request: Request):
            """A new web conversation: a random ``web-…`` id and its signature (bot.web_sessions).
            Counted against the client address: fresh ids must not escape the limit."""
            decision = address_limiter.check(address_of(request))
            if not decision.allowed:
                return response.json({"error": "too many new conversations from this address; try again later"},
                                     status=429, headers={"Retry-After": str(decision.retry_after_seconds)})
            return response.json(web_sessions.new_session(), headers={"Cache-Control": "no-store"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                payload = request.json
            except Exception:  # sanic raises on a body that is not JSON
                payload = None
            try:
                fields = parse_payload(payload)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            fields["trusted"] = self.holds_token(request)
            if not fields["trusted"] and not web_sessions.verify(fields["sender"], fields["session"]):
                language = fields["metadata"].get("language") or DEFAULT_LANGUAGE
                return response.json({"error": "an anonymous caller needs a web session: POST /webhooks/rest/session, "
                                               "then send its \"sender\" and \"session\" with every message",
                                      "text": translate(language, NO_SESSION)}, status=403)

            decision = rate_limiter.check(fields["sender"])
            if decision.allowed and not fields["trusted"]:
                decision = address_limiter.check(address_of(request))
            if not decision.allowed:
                # 200 with a reply, not 429: the front ends show replies, and the user must
                # read why nothing was answered. Rasa never sees the message.
                language = await self._conversation_language(request, fields)
                text = translate(language, SLOW_DOWN)
                return response.json([{"recipient_id": fields["sender"], "text": text}],
                                     headers={"Retry-After": str(decision.retry_after_seconds)})

            if not fields["trusted"]:
                # Set by the server, never by the caller: the hand-off caps open tickets per address.
                fields["metadata"][CLIENT_KEY] = web_sessions.address_key(address_of(request))
            if not fields["trusted"] and payloads.is_payload(fields["message"]):
                offered = await self._offered_payloads(request, fields["sender"])
                if not payloads.allowed_for_user(fields["message"], offered):
                    logger.info("payload not offered to %s refused: %.80r", fields["sender"], fields["message"])
                    language = await self._conversation_language(request, fields)
                    return response.json([{"recipient_id": fields["sender"], "text": translate(language, NOT_OFFERED)}])

            collector = ErasingCollector()
            if handoff.is_cancel(fields["message"]):
                back = await self._cancel_handoff(request, fields, on_new_message)
                if back is not None:
                    return response.json(back)
            try:
                await on_new_message(UserMessage(fields["message"], collector, fields["sender"],
                                                 input_channel=fields["metadata"].get("channel", self.name()),
                                                 metadata=fields["metadata"]))
            except Exception:
                logger.exception("message from %s could not be handled", fields["sender"])
                # The turn was not saved (e.g. the database stayed locked): an answer sent now
                # would leave the message out of the transcript and the conversation's state.
                # The apology below asks for the message again, and the retry is stored once.
                collector.messages.clear()
            # "Delete my data" confirmed: erase now that Rasa has saved the turn. If that failed,
            # drop the "deleted" reply so the apology below asks the user to try again.
            if collector.erase_requested:
                if await erase_after_turn(request.app.ctx.agent, fields["sender"]):
                    # Tells the front end to forget the conversation on the device too (the widget
                    # clears its history and storage and starts a new session).
                    for message in collector.messages:
                        custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
                        message["custom"] = {**custom, ERASED: True}
                else:
                    collector.messages.clear()
            if not collector.messages:
                language = await self._conversation_language(request, fields)
                if await self._is_paused(request, fields["sender"]):
                    # A person has the conversation: the message is in the transcript for them.
                    ack = handoff.paused_acknowledgement(language)
                    collector.messages.extend(self._reply_messages(fields["sender"], ack, handoff.HANDOFF_ACTIVE))
                else:
                    collector.messages.append({"recipient_id": fields["sender"], "text": translate(language, APOLOGY)})
            return response.json(collector.messages)

        return webhook

    @staticmethod
    def holds_token(request: Request) -> bool:
        """The caller sent the Rasa token: ``Authorization: Bearer`` (preferred: it stays out of
        URLs and logs) or the contract's ``?token=``."""
        presented = web_sessions.bearer_token(request.headers.get("authorization"))
        if presented is None:
            presented = request.args.get("token")
        return web_sessions.token_matches(presented)

    @staticmethod
    def _reply_messages(sender: str, reply, custom: Dict[str, Any]) -> list:
        """A ``bot.answers.Reply`` as REST messages, with the hand-off state for the front end."""
        message = {"recipient_id": sender, "text": reply.text}
        if reply.buttons:
            message["buttons"] = reply.buttons
        return [message, {"recipient_id": sender, "custom": custom}]

    @staticmethod
    async def _offered_payloads(request: Request, sender: str) -> list:
        """The payloads of the buttons the bot offered last in this conversation."""
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        except Exception:  # the tracker store may be what failed: nothing counts as offered
            logger.warning("no tracker for %s; no button payload is accepted", sender)
            return []
        return payloads.latest_offered_payloads(tracker.events) if tracker is not None else []

    @staticmethod
    async def _is_paused(request: Request, sender: str) -> bool:
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        except Exception:  # the tracker store may be what failed
            logger.warning("no tracker for %s; treating it as not handed over", sender)
            return False
        return tracker is not None and tracker.is_paused()

    async def _cancel_handoff(self, request: Request, fields: Dict[str, Any],
                              on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Optional[list]:
        """The user wants the bot back (``bot.handoff.is_cancel``): close the ticket, resume the
        tracker, say so. None when nobody has the conversation and the text is a word the bot
        should read as usual."""
        import asyncio

        from rasa.core.channels.channel import CollectingOutputChannel
        from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed

        agent, sender = request.app.ctx.agent, fields["sender"]
        if not await self._is_paused(request, sender):
            if fields["message"].strip().startswith(handoff.CANCEL_PAYLOAD):  # an old button: already back
                language = await self._conversation_language(request, fields)
                return self._reply_messages(sender, handoff.bot_back(language), handoff.HANDOFF_ENDED)
            return None
        # Recorded like any message while paused, so the staff member sees that the user left.
        await on_new_message(UserMessage(fields["message"], CollectingOutputChannel(), sender,
                                         input_channel=fields["metadata"].get("channel", self.name()),
                                         metadata=fields["metadata"]))
        language = await self._conversation_language(request, fields)
        back = handoff.bot_back(language)
        try:
            await asyncio.get_running_loop().run_in_executor(None, handoff.cancel_ticket, sender)
        except Exception:  # the bot comes back all the same; staff then close the ticket themselves
            logger.exception("could not close the hand-off ticket of %s", sender)
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.get_or_create_tracker(sender)
            tracker.update(ConversationResumed())
            tracker.update(BotUttered(back.text, data={"buttons": back.buttons}))
            tracker.update(ActionExecuted("action_listen"))
            await agent.tracker_store.save(tracker)
        return self._reply_messages(sender, back, handoff.HANDOFF_ENDED)

    @staticmethod
    async def _conversation_language(request: Request, fields: Dict[str, Any]) -> str:
        current: Optional[str] = fields["metadata"].get("language")
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(fields["sender"])
            if tracker is not None:
                current = tracker.get_slot("language") or current
        except Exception:  # the tracker store may be what failed
            logger.warning("no tracker for %s; choosing the apology's language from the message", fields["sender"])
        return choose_reply_language(fields["message"], current)
