"""A screenshot of the transcript review list for docs/review-list.png.

    make screenshots                                    # all pictures (tests/browser/screenshots.py)
    .venv/bin/python -m tests.browser.review_screenshot # only docs/review-list.png

Like the other screenshot scripts it starts its own stack with a private database, so it runs
beside a ``make run``. The conversations are examples written into that private database the
way Rasa stores them (``webapp.transcripts.rasa_events.FakeConversation``): questions in
Swedish, Arabic and Dari over the last two days, on the web widget, the REST API and Telegram,
answered with the seed texts and the bot's own catalog strings; one with a personnummer the
channel masked, two handed to a person, one where the bot did not understand and the person
said the answer was wrong. An admin has reviewed and tagged some of them.
"""

from __future__ import annotations

import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict

import yaml

NACKA, VARBERG, SODERTALJE, GOTEBORG = "0182", "1383", "0181", "1480"
VIEWPORT = {"width": 1360, "height": 1000}
ADMIN = "maria.lindqvist"
PASSWORD = "screenshot-password-123"
HOUR = 3600.0
ROOT = Path(__file__).resolve().parents[2]


def seed_answers() -> Dict[str, Dict[str, str]]:
    """The national answer texts per language and topic, as the bot gives them."""
    answers = {}
    for language in ("sv", "ar", "fa_AF"):
        document = yaml.safe_load((ROOT / "data" / "content" / "answers" / f"{language}.yml").read_text("utf-8"))
        answers[language] = {topic: text.strip() for topic, text in document["answers"].items()}
    return answers


def web() -> str:
    return f"web-{uuid.uuid4()}"


def telegram() -> str:
    return f"telegram-{600_000_000 + uuid.uuid4().int % 99_999_999}"


def rest() -> str:
    return uuid.uuid4().hex


def write_examples(now: float) -> Dict[str, list]:
    """The example conversations; returns sender ids by the review marks they get."""
    from bot import answers as strings
    from bot import handoff
    from bot.i18n import translate
    from webapp.transcripts.rasa_events import FakeConversation

    answer = seed_answers()
    marks = {"reviewed": [], "tags": []}

    def conversation(sender, hours_ago, language, municipality, channel):
        return FakeConversation(sender, language=language, municipality=municipality, channel=channel,
                                at=now - hours_ago * HOUR)

    def topic(c, language, key):
        c.bot(answer[language][key], topic=key)

    def hand_over(c, language, municipality_name, staff_name, staff_text):
        c.bot(translate(language, handoff.HANDOFF_STARTED, municipality=municipality_name),
              action="action_request_human")
        c.pause()
        c.bot(staff_text, staff=staff_name)

    # Arabic, Nacka, web widget: school, then thanks.
    c = conversation(web(), 0.3, "ar", NACKA, "web")
    c.user("كيف اسجل ابني في المدرسة؟", intent="school_enrol", confidence=0.94)
    topic(c, "ar", "school_enrol")
    c.user("شكرا جزيلا", intent="thank", confidence=0.98)
    c.bot(translate("ar", strings.THANK), action="action_small_talk")

    # Dari, Nacka, Telegram: a rejected residence permit goes to a person.
    c = conversation(telegram(), 1.2, "fa_AF", NACKA, "telegram")
    c.user("سلام، اداره مهاجرت درخواست اقامت مرا رد کرد. حالا چی کار کنم؟", intent="handoff_residence_permit",
           confidence=0.88)
    hand_over(c, "fa_AF", "Nacka", "Zahra Ahmadi",
              "سلام، من از کمون ناکا هستم. لطفاً نامه اداره مهاجرت را فردا به دفتر ما بیاورید تا با هم بخوانیم.")
    marks["tags"].append((c.sender_id, "uppehållstillstånd"))

    # Swedish, Varberg, web: the personnummer was masked by the channel before Rasa stored it.
    c = conversation(web(), 2.6, "sv", VARBERG, "web")
    c.user("Hur anmäler jag mig till sfi? Mitt personnummer är [personnummer]", intent="sfi_enrol", confidence=0.91)
    topic(c, "sv", "sfi_enrol")
    marks["reviewed"].append(c.sender_id)

    # Arabic, Göteborg, REST: not understood at first, then "that was wrong", then a person.
    c = conversation(rest(), 5.1, "ar", GOTEBORG, "rest")
    c.user("ابي اعرف الشقة كم بالشهر", intent="housing_rent", confidence=0.41)
    c.bot(translate("ar", strings.CLARIFY), action="action_clarify")
    c.user("ايجار الشقة", intent="housing_rent", confidence=0.86)
    topic(c, "ar", "housing_rent")
    c.user("هذا الجواب غلط", intent="feedback_wrong", confidence=0.9)
    hand_over(c, "ar", "Göteborg", "Omar Khalil", "مرحبا، أنا من بلدية غوتنبرغ (Göteborg). يختلف الإيجار حسب الحي وحجم الشقة. في أي حي تبحث؟")
    marks["tags"].append((c.sender_id, "hyra"))

    # Dari, Nacka, web: SFI sign-up and evening courses.
    c = conversation(web(), 9.4, "fa_AF", NACKA, "web")
    c.user("چطور در کورس sfi ثبت نام کنم", intent="sfi_enrol", confidence=0.95)
    topic(c, "fa_AF", "sfi_enrol")
    c.user("کورس شبانه هم دارید؟", intent="sfi_evening_distance", confidence=0.83)
    topic(c, "fa_AF", "sfi_evening_distance")
    marks["reviewed"].append(c.sender_id)
    marks["tags"].append((c.sender_id, "sfi"))

    # Swedish, Södertälje, Telegram: the housing queue.
    c = conversation(telegram(), 20.5, "sv", SODERTALJE, "telegram")
    c.user("Hur länge måste man stå i bostadskön?", intent="housing_queue", confidence=0.9)
    topic(c, "sv", "housing_queue")

    # Arabic, Nacka, Telegram: what SFI costs.
    c = conversation(telegram(), 26.0, "ar", NACKA, "telegram")
    c.user("هل sfi مجانية", intent="sfi_cost", confidence=0.96)
    topic(c, "ar", "sfi_cost")
    marks["reviewed"].append(c.sender_id)

    # Swedish, no municipality given, web: a greeting, then school lunch.
    c = conversation(web(), 30.2, "sv", None, "web")
    c.user("hej", intent="greet", confidence=0.99)
    c.bot(translate("sv", strings.GREET), action="action_small_talk")
    c.user("kostar skollunchen något?", intent="school_lunch", confidence=0.88)
    topic(c, "sv", "school_lunch")

    # Dari, Varberg, REST: mother-tongue teaching.
    c = conversation(rest(), 46.8, "fa_AF", VARBERG, "rest")
    c.user("اولادهایم به مکتب می‌روند. آیا درس زبان مادری هم دارند؟", intent="school_mother_tongue",
           confidence=0.72)
    topic(c, "fa_AF", "school_mother_tongue")
    return marks


def prepare() -> str:
    """An admin, the example conversations in the index, and the admin's review marks;
    returns the admin's user name."""
    from django.contrib.auth.models import User

    from webapp.transcripts.models import Conversation, Tag
    from webapp.transcripts.sync import sync

    admin, _ = User.objects.get_or_create(username=ADMIN, defaults={
        "first_name": "Maria", "last_name": "Lindqvist", "is_superuser": True, "is_staff": True})
    admin.set_password(PASSWORD)
    admin.save()
    marks = write_examples(time.time())
    sync()
    Conversation.objects.filter(pk__in=marks["reviewed"]).update(reviewed=True, reviewed_by=admin)
    for sender_id, name in marks["tags"]:
        tag, _ = Tag.objects.get_or_create(name=name)
        Conversation.objects.get(pk=sender_id).tags.add(tag)
    return admin.username


def take_review_screenshot(browser, web_url: str, out_dir: Path) -> Path:
    """Sign in as the admin and photograph the conversation list."""
    from playwright.sync_api import expect

    # Django refuses ORM calls from a thread with a running event loop (Playwright's sync API
    # keeps one): the database work runs in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        username = pool.submit(prepare).result()
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(f"{web_url}/staff/login/?next=/staff/review/")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.locator("table.conversations tbody tr").first).to_be_visible()
        page.mouse.move(0, 0)  # no hover effect in the picture
        path = out_dir / "review-list.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        context.close()


def main() -> int:
    from tests.conftest import _RUN_DIR, _free_port  # a private database and var/ for this run

    from bot.stack import Stack, prepare_database, train_if_needed
    from tests.browser.chromium import launched
    from tests.browser.screenshots import DOCS_DIR

    model = train_if_needed()
    prepare_database()
    stack = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(), log_dir=_RUN_DIR / "logs")
    stack.start(model, timeout=240)
    try:
        with launched() as browser:
            path = take_review_screenshot(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR)
            print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
