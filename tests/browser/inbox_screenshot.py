"""A screenshot of the staff inbox for docs/inbox.png, taken from a running stack.

    make screenshots                                   # all pictures (tests/browser/screenshots.py)
    .venv/bin/python -m tests.browser.inbox_screenshot # only docs/inbox.png

Run beside ``make run``: it starts its own stack with a private database, like the tests. The
waiting tickets come from real conversations through the REST channel (a Dari speaker whose
residence permit was rejected, an Arabic speaker threatened with eviction, a Swedish speaker in
a crisis), so the picture shows what the hand-off really writes. The figures at the bottom
come from example tickets of the past weeks, written directly into that private database.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import requests

from bot.settings import rasa_token

NACKA = "0182"
VIEWPORT = {"width": 1280, "height": 1000}
PASSWORD = "screenshot-password-123"
# (message, language, front end): the hand-off payloads need no trained NLU for these intents.
CONVERSATIONS: List[Tuple[str, str, str]] = [
    ("/handoff_residence_permit", "fa_AF", "web"),
    ("/handoff_eviction", "ar", "telegram"),
    ("/crisis_violence", "sv", "web"),
]
# Example history for the 30-day figures: (days ago, minutes until claimed, outcome).
EXAMPLE_HISTORY = [(2, 3, "answered"), (3, 12, "meeting"), (5, 6, "answered"), (8, 25, "referred"),
                   (11, 4, "answered"), (15, 9, "no_response"), (21, 2, "answered"), (27, 41, "meeting")]


def start_conversations(rasa_url: str) -> None:
    for message, language, channel in CONVERSATIONS:
        sender = f"{channel}-screenshot-{uuid.uuid4().hex[:8]}"
        response = requests.post(f"{rasa_url}/webhooks/rest/webhook", timeout=60,
                                 headers={"Authorization": f"Bearer {rasa_token()}"}, json={
            "sender": sender, "message": message,
            "metadata": {"language": language, "municipality": NACKA, "channel": channel}})
        response.raise_for_status()


def prepare_staff_and_history() -> str:
    """A Dari-speaking staff member of Nacka (returns the user name), a colleague who holds one
    ticket, and the example history."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from webapp.content.models import Municipality
    from webapp.handoff.models import HandoffTicket, Priority, Reason, Status, Tier
    from webapp.staff.models import StaffProfile

    nacka = Municipality.objects.get(pk=NACKA)
    people = []
    for username, first, last, languages in [("zahra.ahmadi", "Zahra", "Ahmadi", ["fa_AF", "sv"]),
                                             ("erik.lind", "Erik", "Lind", ["sv"])]:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(PASSWORD)
        user.save()
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": "editor", "languages": languages})
        profile.municipalities.add(nacka)
        people.append(user)

    now = timezone.now()
    held = HandoffTicket.objects.create(
        sender_id=f"web-screenshot-{uuid.uuid4().hex[:8]}", reason=Reason.DEBT, priority=Priority.HIGH, language="sv",
        municipality=nacka, channel="web", tier=Tier.LANGUAGE, status=Status.CLAIMED, claimed_by=people[1],
        summary="Skulder hos Kronofogden (exempel).")
    HandoffTicket.objects.filter(pk=held.pk).update(created_at=now - dt.timedelta(minutes=14),
                                                    claimed_at=now - dt.timedelta(minutes=9))
    for days, minutes, outcome in EXAMPLE_HISTORY:
        created = now - dt.timedelta(days=days)
        ticket = HandoffTicket.objects.create(
            sender_id=f"web-example-{uuid.uuid4().hex[:8]}", reason=Reason.REQUESTED, language="ar",
            municipality=nacka, channel="web", tier=Tier.LANGUAGE, status=Status.CLOSED, outcome=outcome,
            claimed_by=people[days % 2], summary="Exempel.")
        HandoffTicket.objects.filter(pk=ticket.pk).update(
            created_at=created, claimed_at=created + dt.timedelta(minutes=minutes),
            closed_at=created + dt.timedelta(minutes=minutes + 20))
    return people[0].username


def take_inbox_screenshot(browser, web_url: str, rasa_url: str, out_dir: Path) -> Path:
    """Sign in as the Dari-speaking staff member and photograph the inbox."""
    from playwright.sync_api import expect

    # Django refuses ORM calls from a thread with a running event loop, which Playwright's sync
    # API keeps: the database work runs in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        username = pool.submit(prepare_staff_and_history).result()
    start_conversations(rasa_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(f"{web_url}/staff/login/?next=/staff/inbox/")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.locator("#waiting-tickets tr[data-ticket]")).to_have_count(len(CONVERSATIONS))
        page.wait_for_timeout(3500)  # one poll of the feed, so the picture shows the live state
        page.mouse.move(0, 0)
        path = out_dir / "inbox.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        context.close()


def main() -> int:
    # As in tests/browser/screenshots.py: the tests' conftest gives this run its own database.
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
            path = take_inbox_screenshot(browser, f"http://127.0.0.1:{stack.web_port}",
                                         f"http://127.0.0.1:{stack.rasa_port}", DOCS_DIR)
            print(f"{path.relative_to(DOCS_DIR.parent)}: {path.stat().st_size // 1024} KB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
