"""Screenshots of the staff pages of issue 17 for docs/: the side-by-side review of an Arabic
draft (docs/publish-review.png), a municipality admin's account form (docs/accounts.png) and a
transcript with a button press and right-to-left lines (docs/transcript.png).

    make screenshots                                          # all pictures
    .venv/bin/python -m tests.browser.staff_work_screenshots  # only these three

Like the other screenshot scripts it starts its own stack with a private database, so it runs
beside ``make run``. The scene (accounts, a draft, a conversation in Rasa's events table) is
written directly into that private database.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

VIEWPORT = {"width": 1280, "height": 900}
PASSWORD = "screenshot-password-123"
SOLNA = "0184"
NACKA = "0182"
TOPIC = "sfi_cost"
# "Sfi is free in Solna. Bring an ID document to your first lesson." (the editor's draft)
ARABIC_DRAFT = "دروس sfi مجانية في سولنا. أحضر بطاقة هوية إلى أول درس."
DARI_QUESTION = "چطور اولاد خود را در مکتب ثبت نام کنم؟"


def _in_worker(function, *args):
    # Django refuses ORM calls from a thread with a running event loop (Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _account(username: str, role: str, codes, languages, display_name: str = ""):
    from django.contrib.auth.models import User

    from webapp.staff.models import StaffProfile

    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={
        "role": role, "languages": languages, "display_name": display_name})
    profile.municipalities.set(codes)
    return user


def _scene() -> dict:
    from bot.language import SWEDISH
    from webapp.content.models import AnswerVersion, Status
    from webapp.editor import workflow
    from webapp.transcripts.rasa_events import FakeConversation

    editor = _account("leila.karimi", "editor", [SOLNA], ["sv", "ar"], "Leila, Solna stad")
    _account("jonas.berg", "publisher", [SOLNA], ["sv"], "Jonas, Solna stad")
    _account("maria.nilsson", "municipality_admin", [NACKA], ["sv"], "Maria, Nacka kommun")
    _account("admin.screenshot", "admin", [], ["sv"])
    swedish = AnswerVersion.objects.filter(topic=TOPIC, municipality=None, language=SWEDISH,
                                           status=Status.PUBLISHED).order_by("-published_at").first()
    draft = workflow.save_answer(editor, TOPIC, SOLNA, "ar", ARABIC_DRAFT, source_version=swedish)
    workflow.submit(draft)

    conversation = FakeConversation(language="sv", municipality=NACKA, channel="web")
    conversation.user("/greet", intent="greet", confidence=1.0)
    conversation.bot("Hej! Jag svarar på frågor om sfi, bostad och skola. Vilket språk vill du skriva på?",
                     action="utter_greet", buttons=[
                         {"title": "Svenska", "payload": '/switch_language{"language":"sv"}'},
                         {"title": "العربية", "payload": '/switch_language{"language":"ar"}'},
                         {"title": "دری", "payload": '/switch_language{"language":"fa_AF"}'}])
    conversation.user('/switch_language{"language":"fa_AF"}', intent="switch_language", confidence=1.0)
    conversation.bot("بسیار خوب، حالا به دری جواب می‌دهم.", action="action_switch_language")
    conversation.user(DARI_QUESTION, intent="school_enrol", confidence=0.91)
    conversation.bot("اولاد خود را در کمون (kommunen) ثبت نام کنید. در ناکا از طریق nacka.se.",
                     topic="school_enrol")
    return {"draft": draft.pk, "sender": conversation.sender_id}


def _signed_in(browser, web_url: str, username: str, path: str):
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{web_url}/staff/login/?next={path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{web_url}{path}")
    return context, page


def take_staff_work_screenshots(browser, web_url: str, out_dir: Path) -> List[Path]:
    scene = _in_worker(_scene)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    shots = [
        ("jonas.berg", f"/staff/content/review/{scene['draft']}/", "publish-review.png", None),
        ("maria.nilsson", "/staff/accounts/new/", "accounts.png", "account"),
        ("admin.screenshot", f"/staff/review/conversation/{scene['sender']}/", "transcript.png", None),
    ]
    for username, path, name, fill in shots:
        context, page = _signed_in(browser, web_url, username, path)
        try:
            if fill == "account":
                page.get_by_label("Användarnamn").fill("farid.rahimi")
                page.get_by_label("Visningsnamn").fill("Farid, Nacka kommun")
                page.get_by_role("checkbox", name="Dari").check()
                page.get_by_role("checkbox", name="Skola").check()
                page.get_by_role("checkbox", name="Nacka (0182)").check()
            page.mouse.move(0, 0)
            target = out_dir / name
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
        finally:
            context.close()
    return written


def main() -> int:
    from tests.conftest import _RUN_DIR, _free_port

    from bot.stack import Stack, prepare_database, train_if_needed
    from tests.browser.chromium import launched
    from tests.browser.screenshots import DOCS_DIR

    model = train_if_needed()
    prepare_database()
    stack = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(), log_dir=_RUN_DIR / "logs")
    stack.start(model, timeout=240)
    try:
        with launched() as browser:
            for path in take_staff_work_screenshots(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR):
                print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
