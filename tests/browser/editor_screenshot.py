"""Screenshots of the content editor for docs/: the edit page with Arabic and Dari side by side
(docs/editor-ar.png), the list with each language's state (docs/editor-list.png) and the
preview of an Arabic question answered from a draft (docs/editor-preview.png).

    .venv/bin/python -m tests.browser.editor_screenshot

Like the other screenshot scripts it starts its own stack with a private database, so it runs
beside a ``make run``. The story in the pictures: Nacka published its own Swedish SFI sign-up
text, so the Arabic and Dari texts are outdated; an editor has written the new Arabic text.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

NACKA = "0182"
PASSWORD = "screenshot-password-123"
VIEWPORT = {"width": 1360, "height": 1000}
SWEDISH = ("Anmäl dig till sfi hos Nacka vuxenutbildning via e-tjänsten på nacka.se.\n"
           "Ha ditt personnummer redo. Nya kurser startar varje månad.")
ARABIC = ("سجّل في دروس اللغة السويدية (sfi) لدى تعليم الكبار في ناكا عبر الخدمة الإلكترونية على nacka.se.\n"
          "جهّز رقمك الشخصي (personnummer). تبدأ دورات جديدة كل شهر.")


def prepare() -> str:
    """An editor of Nacka, a published local Swedish text and an Arabic draft; returns the
    editor's user name."""
    from django.contrib.auth.models import User

    from webapp.content.models import Municipality
    from webapp.editor import workflow
    from webapp.staff.models import StaffProfile

    user, _ = User.objects.get_or_create(username="layla.hassan", defaults={"first_name": "Layla",
                                                                            "last_name": "Hassan"})
    user.set_password(PASSWORD)
    user.save()
    profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": "publisher",
                                                                         "languages": ["ar", "sv"]})
    profile.municipalities.add(Municipality.objects.get(pk=NACKA))
    swedish = workflow.save_answer(user, "sfi_enrol", NACKA, "sv", SWEDISH)
    workflow.submit(swedish)
    workflow.publish(user, swedish)
    workflow.save_answer(user, "sfi_enrol", NACKA, "ar", ARABIC, source_version=swedish)
    return user.username


def take_editor_screenshots(browser, web_url: str, out_dir: Path) -> List[Path]:
    from playwright.sync_api import expect

    with ThreadPoolExecutor(max_workers=1) as pool:  # Django's ORM outside Playwright's event loop
        username = pool.submit(prepare).result()
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    written = []
    try:
        page = context.new_page()
        page.goto(f"{web_url}/staff/login/?next=/staff/content/%3Fm%3D{NACKA}")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.locator(".editor-topics").first).to_be_visible()
        page.mouse.move(0, 0)
        written.append(out_dir / "editor-list.png")
        page.screenshot(path=str(written[-1]))
        page.goto(f"{web_url}/staff/content/{NACKA}/answers/sfi_enrol/")
        expect(page.locator("#text-ar")).to_have_attribute("dir", "rtl")
        page.mouse.move(0, 0)
        written.append(out_dir / "editor-ar.png")
        page.screenshot(path=str(written[-1]))
        # The preview: an Arabic question, answered with the Arabic draft (not yet published).
        page.goto(f"{web_url}/staff/content/preview/?m={NACKA}")
        page.get_by_label("Fråga (på valfritt språk)").fill("كيف اسجل في sfi")
        page.get_by_role("button", name="Visa svaret").click()
        expect(page.locator(".editor-bubble").first).to_be_visible()
        page.mouse.move(0, 0)
        written.append(out_dir / "editor-preview.png")
        page.screenshot(path=str(written[-1]), full_page=True)
    finally:
        context.close()
    return written


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
            for path in take_editor_screenshots(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR):
                print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
