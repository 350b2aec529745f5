"""The widget as a test sees it: a small page object over Playwright, shared by the browser
tests and the screenshot script.

Playwright's CSS locators reach into the widget's open shadow root, so plain class names work.
"""

from __future__ import annotations

from typing import Dict, List

import requests
from playwright.sync_api import Locator, Page, expect

STORAGE_KEY = "newcomer-widget:v1"
REPLY_TIMEOUT_MS = 20000

# Text of a message without the hidden "You:" / "Assistant:" / "(opens in a new window)" parts.
_VISIBLE_TEXT = """el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.nw-sr').forEach(n => n.remove());
  return copy.textContent;
}"""


def ui_strings(web_url: str, language: str) -> Dict[str, str]:
    """The UI strings the product serves for ``language`` (what the widget must show)."""
    response = requests.get(f"{web_url.rstrip('/')}/widget/strings/{language}.json", timeout=10)
    response.raise_for_status()
    return response.json()["strings"]


class Widget:
    """The chat widget embedded in ``page``."""

    def __init__(self, page: Page):
        self.page = page
        self.host = page.locator("#newcomer-widget")
        self.root = page.locator(".nw")
        self.bubble = page.locator(".nw-bubble")
        self.panel = page.locator(".nw-panel")
        self.title = page.locator(".nw-title")
        self.log = page.locator(".nw-log")
        self.input = page.locator(".nw-input")
        self.send_button = page.locator(".nw-send")
        self.status = page.locator(".nw-status")
        self.language = page.locator(".nw-language")
        self.close_button = page.locator(".nw-header-row .nw-icon-button").first
        self.restart_button = page.locator(".nw-tools .nw-icon-button")
        self.typing = page.locator(".nw-typing")
        self.bot_messages = page.locator(".nw-row-bot:not(.nw-typing) .nw-msg")
        self.user_messages = page.locator(".nw-row-user .nw-msg")

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def text_of(message: Locator) -> str:
        return message.evaluate(_VISIBLE_TEXT)

    def bot_texts(self) -> List[str]:
        return [self.text_of(m) for m in self.bot_messages.all()]

    def user_texts(self) -> List[str]:
        return [self.text_of(m) for m in self.user_messages.all()]

    def stored_state(self) -> dict:
        return self.page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORAGE_KEY}'))")

    # -- waiting ---------------------------------------------------------------------------
    def wait_until_loaded(self) -> None:
        expect(self.bubble).to_be_visible()

    def wait_until_delivered(self, timeout: float = REPLY_TIMEOUT_MS) -> None:
        """Until nothing is waiting to be sent and no request is under way."""
        self.page.wait_for_function(
            f"() => {{ const s = JSON.parse(localStorage.getItem('{STORAGE_KEY}') || 'null');"
            " return s && s.outbox.length === 0; }", timeout=timeout)
        expect(self.typing).to_be_hidden(timeout=timeout)

    def wait_for_bot_messages(self, count: int, timeout: float = REPLY_TIMEOUT_MS) -> None:
        expect(self.bot_messages.nth(count - 1)).to_be_attached(timeout=timeout)

    # -- doing -----------------------------------------------------------------------------
    def open(self) -> None:
        """Open the panel and wait for the greeting of a new conversation to be delivered."""
        self.wait_until_loaded()
        self.bubble.click()
        expect(self.panel).to_be_visible()
        self.wait_until_delivered()

    def ask(self, text: str) -> str:
        """Type ``text``, press Enter, and return the text of the first reply to it."""
        before = self.bot_messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_bot_messages(before + 1)
        self.wait_until_delivered()
        return self.text_of(self.bot_messages.nth(before))

    def pick_language(self, code: str) -> str:
        """Choose a language in the picker; returns the assistant's reply to the switch."""
        before = self.bot_messages.count()
        self.language.select_option(code)
        self.wait_for_bot_messages(before + 1)
        self.wait_until_delivered()
        return self.text_of(self.bot_messages.nth(before))

    def show_last_question(self) -> None:
        """Scroll the log so that the last question and its answer are in view."""
        self.page.locator(".nw-row-user").last.evaluate("""row => {
          const log = row.closest('.nw-log');
          log.scrollTop += row.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
        }""")
