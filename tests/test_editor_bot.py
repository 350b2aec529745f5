"""What the bot does with edited content: outdated translations (composer and running bot),
a publish through the editor reaching the running bot, and the preview against real Rasa."""

import datetime as dt
import re
import time

import pytest

from bot.answers import TRANSLATION_PENDING, Composer
from bot.content import Answer, Snapshot, topics
from bot.i18n import FSI, PDI, translate
from bot.municipalities import directory
from tests.helpers import assert_language, text_of
from tests.test_editor import post_action, save, url_answer

EARLIER = dt.datetime(2026, 11, 1, 9, tzinfo=dt.timezone.utc)
LATER = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)
DAY = dt.date(2026, 11, 1)


def _snapshot(*answers):
    snapshot = Snapshot(revision=1)
    for key, answer in answers:
        snapshot.answers[key] = answer
    return snapshot


def _reply(language, snapshot, topic="sfi_cost", code=None):
    municipality = directory().get(code) if code else None
    return Composer(language, snapshot).topic_answer(topics()[topic], municipality)[0].text


# -- composer level -------------------------------------------------------------------------------

def test_up_to_date_translation_is_used():
    snapshot = _snapshot(
        (("sfi_cost", None, "sv"), Answer("Sfi är gratis.", None, DAY, version_id=1, published_at=EARLIER)),
        (("sfi_cost", None, "ar"), Answer("الدروس مجانية.", None, DAY, version_id=2, source_version_id=1,
                                          published_at=EARLIER)),
    )
    text = _reply("ar", snapshot)
    assert text.startswith("الدروس مجانية.")
    assert translate("ar", TRANSLATION_PENDING) not in text


@pytest.mark.parametrize("language", ["ar", "fa_AF"])
def test_outdated_translation_gives_the_new_swedish_text_with_a_note(language):
    snapshot = _snapshot(
        (("sfi_cost", None, "sv"), Answer("Sfi är gratis.\nNy rad: anmäl dig senast 1 december.", None, DAY,
                                          version_id=3, published_at=LATER)),
        (("sfi_cost", None, language), Answer("نص قديم", None, DAY, version_id=2, source_version_id=1,
                                              published_at=EARLIER)),
    )
    text = _reply(language, snapshot)
    note = translate(language, TRANSLATION_PENDING)
    assert note != TRANSLATION_PENDING and text.startswith(note)
    assert "نص قديم" not in text
    # Each Swedish line is isolated, so the Latin text keeps its order inside an RTL message.
    assert f"{FSI}Sfi är gratis.{PDI}\n{FSI}Ny rad: anmäl dig senast 1 december.{PDI}" in text
    # Swedish users never see the note.
    assert _reply("sv", snapshot).startswith("Sfi är gratis.")


def test_translation_without_recorded_source_is_outdated_only_by_a_later_swedish_text():
    swedish = Answer("Svensk text.", None, DAY, version_id=10, published_at=LATER)
    before = Answer("ترجمة قديمة", None, DAY, version_id=5, published_at=EARLIER)
    after = Answer("ترجمة جديدة", None, DAY, version_id=11, published_at=LATER + dt.timedelta(minutes=1))
    assert "Svensk text." in _reply("ar", _snapshot((("sfi_cost", None, "sv"), swedish),
                                                    (("sfi_cost", None, "ar"), before)))
    assert _reply("ar", _snapshot((("sfi_cost", None, "sv"), swedish),
                                  (("sfi_cost", None, "ar"), after))).startswith("ترجمة جديدة")


def test_a_local_swedish_text_outdates_the_national_translation_there():
    """Nacka's own Swedish text says something the national Arabic text does not."""
    snapshot = _snapshot(
        (("sfi_cost", None, "sv"), Answer("Nationell.", None, DAY, version_id=1, published_at=EARLIER)),
        (("sfi_cost", None, "ar"), Answer("وطني", None, DAY, version_id=2, source_version_id=1, published_at=EARLIER)),
        (("sfi_cost", "0182", "sv"), Answer("Nacka: kursen börjar i januari.", "0182", DAY, version_id=3,
                                            published_at=LATER)),
    )
    assert "Nacka: kursen börjar i januari." in _reply("ar", snapshot, code="0182")
    assert _reply("ar", snapshot, code="1383").startswith("وطني")  # Varberg: national texts agree


# -- the running bot --------------------------------------------------------------------------------

@pytest.fixture
def local_texts():
    """(municipality, topic) pairs whose local texts a test publishes; removed afterwards, so
    other tests of the session meet the national texts there."""
    from webapp.content.models import AnswerVersion

    created = []
    yield created.append
    for code, topic in created:
        AnswerVersion.objects.filter(municipality_id=code, topic=topic).delete()


def _ask_until(chat, sender, message, wanted, seconds=5.0):
    deadline = time.monotonic() + seconds
    while True:
        replies = chat.send(sender, message)
        if wanted in text_of(replies):
            return replies
        if time.monotonic() > deadline:
            pytest.fail(f"{wanted!r} did not reach the bot within {seconds} s: {text_of(replies)[:300]!r}")
        time.sleep(0.3)


def test_publishing_in_the_editor_reaches_the_running_bot(make_staff, chat, local_texts):
    local_texts(("0115", "sfi_requirements"))
    _user, client = make_staff("publisher", ["0115"])  # Vallentuna
    url = url_answer("0115", "sfi_requirements")
    save(client, "0115", "sfi_requirements", sv="Vallentuna: ta med ditt personbevis till första lektionen.")
    post_action(client, url, "submit_all")
    sender = chat.new_sender()
    chat.send(sender, "hej", metadata={"language": "sv", "municipality": "0115"})
    replies = chat.send(sender, "/sfi_requirements")
    assert "Vallentuna: ta med ditt personbevis" not in text_of(replies)  # in review: not for the bot
    post_action(client, url, "publish_all")
    _ask_until(chat, sender, "/sfi_requirements", "Vallentuna: ta med ditt personbevis till första lektionen.")


def test_the_running_bot_answers_an_outdated_translation_with_swedish_and_a_note(make_staff, chat, local_texts):
    local_texts(("0160", "sfi_cost"))
    _user, client = make_staff("publisher", ["0160"])  # Täby
    url = url_answer("0160", "sfi_cost")
    save(client, "0160", "sfi_cost", sv="Täby: sfi är gratis.", ar="تابي: دروس اللغة مجانية.")
    post_action(client, url, "submit_all")
    post_action(client, url, "publish_all")
    sender = chat.new_sender()
    chat.send(sender, "مرحبا", metadata={"language": "ar", "municipality": "0160"})
    replies = _ask_until(chat, sender, "/sfi_cost", "تابي: دروس اللغة مجانية.")
    assert_language(replies, "ar")

    save(client, "0160", "sfi_cost", sv="Täby: sfi är gratis. Nytt: anmälan öppnar 1 december.")
    post_action(client, url, "submit_all")
    post_action(client, url, "publish_all")
    replies = _ask_until(chat, sender, "/sfi_cost", "Nytt: anmälan öppnar 1 december.")
    text = text_of(replies)
    assert translate("ar", TRANSLATION_PENDING) in text
    assert "تابي: دروس اللغة مجانية." not in text


# -- preview --------------------------------------------------------------------------------------

@pytest.fixture
def rasa_at(monkeypatch):
    def point(url):
        monkeypatch.setenv("RASA_URL", url)

    return point


def test_preview_shows_drafts_through_the_real_rasa_model(make_staff, stack, rasa_at, local_texts):
    local_texts(("0139", "sfi_cost"))
    rasa_at(f"http://127.0.0.1:{stack.rasa_port}")
    _user, client = make_staff("editor", ["0139"])  # Upplands-Bro
    save(client, "0139", "sfi_cost", sv="Upplands-Bro utkast: sfi kostar inget. <script>alert(1)</script>")
    response = client.post("/staff/content/preview/", {"question": "hur mycket kostar sfi", "municipality": "0139"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "sfi_cost" in html
    assert "Upplands-Bro utkast: sfi kostar inget. &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    from webapp.content.models import AnswerVersion

    draft = AnswerVersion.objects.filter(topic="sfi_cost", municipality_id="0139", language="sv").first()
    assert f"v{draft.pk} utkast" in html  # the preview lists the unpublished versions it used

    # In Arabic, with a Swedish draft newer than every translation: what the bot would say after
    # publishing it (the Swedish text with the note), right to left.
    response = client.post("/staff/content/preview/", {"question": "هل sfi مجانية", "municipality": "0139"})
    html = response.content.decode()
    assert re.search(r'<div class="editor-bubble" dir="rtl" lang="ar">', html)
    assert translate("ar", TRANSLATION_PENDING) in html
    assert "Upplands-Bro utkast" in html


def test_preview_only_for_ones_own_municipalities(make_staff, rasa_at):
    rasa_at("http://127.0.0.1:9")
    _user, client = make_staff("editor", ["0182"])
    response = client.post("/staff/content/preview/", {"question": "hur mycket kostar sfi", "municipality": "1383"})
    assert response.status_code == 200
    assert "editor-bubble" not in response.content.decode()
    assert "Välj ett giltigt alternativ" in response.content.decode() or "Select a valid choice" in response.content.decode()


def test_preview_says_so_clearly_when_rasa_is_down(make_staff, rasa_at):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rasa_at(f"http://127.0.0.1:{port}")
    _user, client = make_staff("editor", ["0182"])
    response = client.post("/staff/content/preview/", {"question": "hur mycket kostar sfi", "municipality": "0182"})
    assert response.status_code == 200
    assert "Boten (Rasa-servern) svarar inte just nu" in response.content.decode()
