"""Screenshots of the open widget in each language, with a question and its answer, for docs/.

    .venv/bin/python -m tests.browser.screenshots            # writes docs/widget-<lang>.png

It starts its own stack (private database, free ports) like the tests do, so it runs beside a
``make run``. ``tests/browser/test_widget_browser.py`` runs ``take_screenshots`` into a
temporary folder, so this script keeps working.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

from tests.browser.widget import Widget

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
VIEWPORT = {"width": 1100, "height": 760}

# One question per language, answered with Nacka's local details (the demo page's municipality).
QUESTIONS: Dict[str, str] = {
    "sv": "Hur anmäler jag mig till sfi?",
    "ar": "كيف اسجل ابني في المدرسة",
    "fa_AF": "چطور در کورس sfi ثبت نام کنم",
}


def take_screenshots(browser, web_url: str, out_dir: Path) -> List[Path]:
    """Open the demo page once per language, ask that language's question, save a PNG."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for language, question in QUESTIONS.items():
        context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
        try:
            page = context.new_page()
            page.goto(web_url.rstrip("/") + "/")
            widget = Widget(page)
            widget.open()
            if language != "sv":
                widget.pick_language(language)
            widget.ask(question)
            widget.show_last_question()
            page.mouse.move(0, 0)  # no hover effect in the picture
            path = out_dir / f"widget-{language}.png"
            page.screenshot(path=str(path))
            written.append(path)
        finally:
            context.close()
    return written


def main() -> int:
    # Importing the tests' conftest gives this run its own database and var/ directory, as in
    # a test session; it must happen before anything imports bot.settings.
    from tests.conftest import _RUN_DIR, _free_port

    from bot.stack import Stack, prepare_database, train_if_needed
    from tests.browser.chromium import launched

    model = train_if_needed()
    prepare_database()
    stack = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(), log_dir=_RUN_DIR / "logs")
    stack.start(model, timeout=240)
    try:
        with launched() as browser:
            # First, while the review list holds only its example conversations (docs/review-list.png).
            from tests.browser.review_screenshot import take_review_screenshot

            path = take_review_screenshot(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR)
            print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
            for path in take_screenshots(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR):
                print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
            # The content editor with Arabic beside Swedish (docs/editor-*.png).
            from tests.browser.editor_screenshot import take_editor_screenshots

            for path in take_editor_screenshots(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR):
                print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
            # The staff inbox (docs/inbox.png), from the same stack.
            from tests.browser.inbox_screenshot import take_inbox_screenshot

            path = take_inbox_screenshot(browser, f"http://127.0.0.1:{stack.web_port}",
                                         f"http://127.0.0.1:{stack.rasa_port}", DOCS_DIR)
            print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
            # Review side by side, an account form, a transcript (docs/publish-review.png, ...).
            from tests.browser.staff_work_screenshots import take_staff_work_screenshots

            for path in take_staff_work_screenshots(browser, f"http://127.0.0.1:{stack.web_port}", DOCS_DIR):
                print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
