"""Compose the assistant's replies from content, facts and catalog strings.

Everything here is plain Python (no Rasa), so replies can be tested directly. A ``Reply`` is
what one bot message is: its text and its buttons. Every text and every button title is in
the language it is composed for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.content import Fact, Snapshot, Topic, topics
from bot.facts.names import same_name
from bot.facts.providers import FactSet
from bot.i18n import N_, format_date, format_number, isolate, translate
from bot.language import LANGUAGES, MAX_MESSAGE_CHARS, NATIVE_NAMES, RIGHT_TO_LEFT
from bot.municipalities import Municipality

# TRANSLATORS: button titles for the answer topics; short (at most about 30 characters).
TOPIC_TITLES = {
    "sfi_what_is": N_("What is SFI?"),
    "sfi_enrol": N_("Sign up for SFI"),
    "sfi_cost": N_("What does SFI cost?"),
    "sfi_levels": N_("SFI levels and courses"),
    "sfi_evening_distance": N_("Evening and distance SFI"),
    "sfi_requirements": N_("What you need to start SFI"),
    "sfi_with_work": N_("SFI and work"),
    "housing_queue": N_("Housing queue"),
    "housing_settlement": N_("Settlement and placement"),
    "housing_contract": N_("First- and second-hand contracts"),
    "housing_allowance": N_("Housing allowance"),
    "housing_rent": N_("What does rent cost?"),
    "housing_emergency": N_("Emergency housing"),
    "housing_find": N_("Finding a home"),
    "school_enrol": N_("Starting school"),
    "school_preschool": N_("Preschool"),
    # TRANSLATORS: förskoleklass, the compulsory year before year 1 (Skolverket: ar الصف التمهيدي, Dari صنف آمادگی).
    "school_preschool_class": N_("Preschool class (the year before year 1)"),
    # TRANSLATORS: förberedelseklass, for pupils new in Sweden; not förskoleklass (the line above).
    "school_preparatory_class": N_("Preparatory class"),
    "school_mother_tongue": N_("Mother-tongue teaching"),
    "school_upper_secondary": N_("Upper secondary school"),
    "school_change": N_("Changing school"),
    "school_lunch": N_("School lunch"),
    "school_cost": N_("Does school cost anything?"),
    # Crisis topics (action_crisis): never offered as follow-ups, but named in the staff app.
    "crisis_violence": N_("Violence or threats"),
    "crisis_suicide": N_("Suicidal thoughts"),
    "crisis_health": N_("Acute illness or injury"),
}

# TRANSLATORS: the three topic areas, as button titles.
AREA_BUTTONS = (
    (N_("SFI – Swedish for immigrants"), "/sfi_what_is"),
    (N_("Housing"), "/housing_find"),
    (N_("School and preschool"), "/school_enrol"),
)
TALK_TO_PERSON = N_("Talk to a person")

ASK_MUNICIPALITY = N_("Which municipality do you live in? Write its name or your postal code, for example “Nacka” or “131 30”.")
MUNICIPALITY_SET = N_("Good, I will answer for {municipality}.")
MUNICIPALITY_UNKNOWN = N_("I could not find that municipality. Write the name of your municipality, for example “Varberg”, or your five-digit postal code.")
POSTAL_CODE_UNKNOWN = N_("I do not know the postal code {postal_code}. Please check it, or write the name of your municipality.")
ASK_TOPIC = N_("What do you want to know about? Choose a topic or write your question.")
LOCAL_HEADER = N_("In {municipality}:")
PHONE = N_("Phone: {phone}")
FACT_CHECKED = N_("Source: {source}, checked {date}.")
FACT_EXAMPLE = N_("⚠ Example data: not yet checked against the municipality’s own web site (added {date}).")
NO_LOCAL_FACTS = N_("I do not have local details for {municipality} yet.")
MUNICIPALITY_WEBSITE = N_("See the municipality’s web site: {url}")
MUNICIPALITY_WEBSITE_UNKNOWN = N_("Look for it on your municipality’s web site.")
NATIONAL_SOURCE = N_("Source: {source}. General information, text updated {date}.")
# TRANSLATORS: register facts (Skolverket's national registers); {municipality} is a name.
REGISTER_HEADERS = {
    "GR": N_("Compulsory schools in {municipality}:"),
    "GY": N_("Upper secondary schools in {municipality}:"),
    "sfi": N_("SFI courses in {municipality}:"),
}
SFI_STARTS = N_("starts {date}")
SFI_EVENING = N_("evening")
SFI_DISTANCE = N_("distance")
REGISTER_MORE = N_("{count} more: {url}")
REGISTER_SOURCE = N_("Source: {source}, {date}.")
REGISTER_SOURCE_STALE = N_("Source: {source}, saved copy from {date} (the register could not be reached just now).")
# TRANSLATORS: shown above the Swedish text when the translation of a just-updated answer is not
# ready yet (never shown to Swedish users).
TRANSLATION_PENDING = N_("This answer was just updated and the translation is not ready yet; here is the current text in Swedish.")
MISSING_ANSWER = N_("I am sorry, I have no answer text about this yet. A person at your municipality can help you.")

GREET = N_("Hello! I answer questions about SFI (Swedish for immigrants), housing and school in your municipality. You can write in Swedish, Arabic or Dari.")
GOODBYE = N_("Goodbye and good luck! You can write to me again at any time.")
THANK = N_("You are welcome! Is there anything else you want to know?")
HELP = N_("I can answer questions about SFI, housing and school, with local details for your municipality. Tell me which municipality you live in. Write “person” if you want to talk to a staff member.")
CLARIFY = N_("Sorry, I did not understand. Is your question about one of these topics?")
OUT_OF_SCOPE = N_("I can only answer questions about SFI, housing and school. For other questions, contact your municipality.")
# TRANSLATORS: a word could be the name of a municipality or an ordinary word (Båstad / bostad);
# {municipality} is the name. Yes/no buttons follow.
CONFIRM_MUNICIPALITY = N_("Do you mean the municipality {municipality}?")
# TRANSLATORS: asked when a spelling fits two or three municipalities; buttons with their names follow.
WHICH_MUNICIPALITY = N_("Which municipality do you mean?")
YES_THAT_ONE = N_("Yes")
# TRANSLATORS: button under “Do you mean the municipality …?”: the user means another municipality.
NO_ANOTHER = N_("No, another one")
# TRANSLATORS: asked when the bot is unsure; below it are buttons with two or three specific questions.
CLARIFY_QUESTIONS = N_("Sorry, I am not sure what you mean. Is it one of these questions?")
# TRANSLATORS: after an answer the bot was not sure was the right one; buttons with other questions follow.
OTHER_QUESTIONS = N_("Did you mean another question about this? Choose it here.")
# TRANSLATORS: said before the answer when the user wrote “thanks” together with a question.
COURTESY_THANKS = N_("You are welcome!")
# TRANSLATORS: said before the answer when the user wrote a greeting together with a question.
COURTESY_HELLO = N_("Hello!")
OFFER_PERSON = N_("I still do not understand, sorry. Do you want to talk to a person instead?")
EMPTY_MESSAGE = N_("I did not receive any text. Write your question in a few words.")
TOO_LONG = N_("Your message is very long. Please ask one short question (at most {limit} characters).")
NO_WORDS = N_("I can only read text. Write your question in words, in Swedish, Arabic or Dari.")
LANGUAGE_SET = N_("From now on I write in Swedish.")
CHOOSE_LANGUAGE = N_("Which language do you want me to write in?")
HUMAN_CONTACT = N_("A person can help you with this. Contact {municipality}: {contact}")
HUMAN_CONTACT_NO_MUNICIPALITY = N_("A person at your municipality can help you with this. Tell me which municipality you live in, and I will show you how to contact it.")


@dataclass
class Reply:
    """One bot message: text and buttons, all in one language."""

    text: str
    buttons: List[dict] = field(default_factory=list)


class Composer:
    """Builds replies in one language from a content snapshot."""

    def __init__(self, language: str, snapshot: Snapshot, register: Optional[Dict[str, FactSet]] = None):
        self.language = language
        self.snapshot = snapshot
        self.register = register or {}  # topic key → Skolverket register facts looked up for this turn

    def t(self, msgid: str, **values: object) -> str:
        return translate(self.language, msgid, **values).strip()

    def _ltr(self, text: str) -> str:
        """A Swedish name, URL or number inside an Arabic/Dari sentence keeps its own direction."""
        return isolate(text) if self.language in RIGHT_TO_LEFT else text

    def municipality_name(self, municipality: Municipality) -> str:
        """In script where the name has a form in it; otherwise the Swedish name, isolated."""
        name = municipality.display_name(self.language)
        return name if municipality.script_names.get(self.language) else self._ltr(name)

    def button(self, title: str, payload: str) -> dict:
        return {"title": self.t(title), "payload": payload}

    def topic_buttons(self, keys) -> List[dict]:
        return [self.button(TOPIC_TITLES[key], f"/{key}") for key in keys if key in TOPIC_TITLES]

    def area_buttons(self, with_person: bool = False) -> List[dict]:
        buttons = [self.button(title, payload) for title, payload in AREA_BUTTONS]
        if with_person:
            buttons.append(self.button(TALK_TO_PERSON, "/request_human"))
        return buttons

    # -- answers ----------------------------------------------------------------------------
    def topic_answer(self, topic: Topic, municipality: Optional[Municipality]) -> List[Reply]:
        """The answer to a topic: content text, local facts with source and date, follow-ups."""
        code = municipality.code if municipality else None
        answer, translation_pending = self.snapshot.answer_for_reply(topic.key, code, self.language)
        if answer is None:
            return [Reply(self.t(MISSING_ANSWER), self.area_buttons(with_person=True))]
        parts = [answer.text.strip()]
        if translation_pending:  # the new Swedish text, never an outdated translation, and why
            parts = [self.t(TRANSLATION_PENDING), "\n".join(self._ltr(line) if line else line
                                                              for line in answer.text.strip().split("\n"))]
        if municipality and (topic.facts or topic.key in self.register):
            parts.append(self.local_facts(topic, municipality))
        source = topic.source_name if answer.municipality is None else municipality.name
        parts.append(self.t(NATIONAL_SOURCE, source=self._ltr(source), date=format_date(answer.updated_on, self.language)))
        return [Reply("\n\n".join(p for p in parts if p), self.topic_buttons(topic.related))]

    def local_facts(self, topic: Topic, municipality: Municipality) -> str:
        """Shipped/staff facts first; then register data (staff facts win where both name the
        same place); without either, an honest note and the municipality's web site."""
        facts = self.snapshot.facts_for(municipality.code, topic.facts)
        name = self.municipality_name(municipality)
        register = self.register.get(topic.key)
        register_lines = self._register_lines(register, facts, name) if register else []
        if not facts and not register_lines:
            lines = [self.t(NO_LOCAL_FACTS, municipality=name)]
            if municipality.website:
                lines.append(self.t(MUNICIPALITY_WEBSITE, url=self._ltr(municipality.website)))
            else:
                lines.append(self.t(MUNICIPALITY_WEBSITE_UNKNOWN))
            return "\n".join(lines)
        lines = [self.t(LOCAL_HEADER, municipality=name)] if facts else []
        for fact in facts:
            lines.extend(self._fact_lines(fact))
        if facts and register_lines:
            lines.append("")
        return "\n".join(lines + register_lines)

    def _register_lines(self, register: FactSet, staff_facts: List[Fact], municipality_name: str) -> List[str]:
        # "Hermods AB" in the register is the staff's "Hermods": compare names normalised
        items = [item for item in register.items if not any(same_name(item.name, f.name) for f in staff_facts)]
        if not items:
            return []
        lines = [self.t(REGISTER_HEADERS[register.kind], municipality=municipality_name)]
        for item in items:
            title = f"{item.name} – {item.provider}" if item.provider and item.provider != item.name else item.name
            lines.append(f"• {self._ltr(title)}")
            details = [self.t(SFI_STARTS, date=format_date(item.start_date, self.language))] if item.start_date else []
            details += [self.t(SFI_EVENING)] if item.evening else []
            details += [self.t(SFI_DISTANCE)] if item.distance else []
            if details:
                lines.append("  " + " · ".join(details))
            if item.url:
                lines.append(f"  {self._ltr(item.url)}")
        hidden = register.total - len(register.items)
        if hidden > 0 and register.more_url:
            lines.append(self.t(REGISTER_MORE, count=format_number(hidden, self.language),
                                url=self._ltr(register.more_url)))
        source_line = REGISTER_SOURCE_STALE if register.stale else REGISTER_SOURCE
        lines.append(self.t(source_line, source=self._ltr(register.source),
                            date=format_date(register.as_of, self.language)))
        return lines

    def _fact_lines(self, fact: Fact) -> List[str]:
        lines = [f"• {self._ltr(fact.name)}"]
        if fact.url:
            lines.append(f"  {self._ltr(fact.url)}")
        if fact.phone:
            lines.append("  " + self.t(PHONE, phone=self._ltr(fact.phone)))
        note = fact.notes.get(self.language)
        if note:
            lines.append(f"  {note}")
        if fact.is_example or not fact.verified_on:
            lines.append("  " + self.t(FACT_EXAMPLE, date=format_date(fact.recorded_on, self.language)))
        else:
            # The page it was checked against (not just the site's name), so that a newcomer
            # or a caseworker can open the very page and see that it still says so.
            lines.append("  " + self.t(FACT_CHECKED, source=self._ltr(fact.source_url or fact.source_name),
                                       date=format_date(fact.verified_on, self.language)))
        return lines

    # -- conversation -----------------------------------------------------------------------
    def ask_municipality(self) -> Reply:
        return Reply(self.t(ASK_MUNICIPALITY))

    def municipality_confirmed(self, municipality: Municipality) -> Reply:
        return Reply(self.t(MUNICIPALITY_SET, municipality=self.municipality_name(municipality)))

    def municipality_unknown(self, unknown_postal_code: Optional[str] = None) -> Reply:
        if unknown_postal_code:
            return Reply(self.t(POSTAL_CODE_UNKNOWN, postal_code=self._ltr(unknown_postal_code)))
        return Reply(self.t(MUNICIPALITY_UNKNOWN))

    def ask_topic(self) -> Reply:
        return Reply(self.t(ASK_TOPIC), self.area_buttons())

    def small_talk(self, intent: str) -> Reply:
        texts = {"greet": GREET, "goodbye": GOODBYE, "thank": THANK, "help": HELP}
        buttons = [] if intent == "goodbye" else self.area_buttons(with_person=intent == "help")
        return Reply(self.t(texts.get(intent, HELP)), buttons)

    def clarify(self, out_of_scope: bool, offer_person: bool) -> Reply:
        if offer_person:
            return Reply(self.t(OFFER_PERSON), self.area_buttons(with_person=True))
        return Reply(self.t(OUT_OF_SCOPE if out_of_scope else CLARIFY), self.area_buttons(with_person=True))

    def confirm_municipality(self, candidates: List[Municipality]) -> Reply:
        """"Do you mean Båstad?" (yes/no), or "Which one?" with a button per municipality. A
        button sends the municipality as an entity, "no" sends none (then the bot asks again)."""
        def choose(municipality: Municipality) -> str:
            return f'/inform_municipality{{"municipality":"{municipality.code}"}}'

        if len(candidates) == 1:
            return Reply(self.t(CONFIRM_MUNICIPALITY, municipality=self.municipality_name(candidates[0])),
                         [self.button(YES_THAT_ONE, choose(candidates[0])),
                          self.button(NO_ANOTHER, "/inform_municipality")])
        return Reply(self.t(WHICH_MUNICIPALITY),
                     [{"title": self.municipality_name(m), "payload": choose(m)} for m in candidates]
                     + [self.button(NO_ANOTHER, "/inform_municipality")])

    def clarify_questions(self, intents: List[str]) -> Reply:
        """Unsure: the likeliest specific questions as buttons, and a person."""
        return Reply(self.t(CLARIFY_QUESTIONS),
                     self.topic_buttons(intents) + [self.button(TALK_TO_PERSON, "/request_human")])

    def other_questions(self, intents: List[str]) -> Reply:
        """Sure of the topic, not of the question: the topic's other likely questions."""
        return Reply(self.t(OTHER_QUESTIONS), self.topic_buttons(intents))

    def courtesy(self, kind: str) -> Reply:
        """"Thanks" or "hello" said alongside a question, returned before the answer."""
        return Reply(self.t(COURTESY_THANKS if kind == "thank" else COURTESY_HELLO))

    def unreadable(self, kind: str) -> Reply:
        """Bad input: ``empty``, ``too_long`` or ``no_words``."""
        if kind == "too_long":
            return Reply(self.t(TOO_LONG, limit=format_number(MAX_MESSAGE_CHARS, self.language)))
        return Reply(self.t(EMPTY_MESSAGE if kind == "empty" else NO_WORDS), self.area_buttons())

    def language_set(self) -> Reply:
        return Reply(self.t(LANGUAGE_SET), self.area_buttons())

    @staticmethod
    def choose_language() -> Reply:
        """Asked in all three languages at once: the user has not been understood yet."""
        text = " / ".join(translate(code, CHOOSE_LANGUAGE) for code in LANGUAGES)
        buttons = [{"title": NATIVE_NAMES[code], "payload": f'/switch_language{{"language":"{code}"}}'}
                   for code in LANGUAGES]
        return Reply(text, buttons)

    def human_contact(self, municipality: Optional[Municipality]) -> Reply:
        if municipality is None:
            return Reply(self.t(HUMAN_CONTACT_NO_MUNICIPALITY))
        contact = municipality.website or municipality.official_name
        return Reply(self.t(HUMAN_CONTACT, municipality=self.municipality_name(municipality),
                            contact=self._ltr(contact)))


def topic_for_intent(intent: Optional[str]) -> Optional[Topic]:
    return topics().get(intent or "")
