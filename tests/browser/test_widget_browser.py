"""The web widget in a real browser (Debian's Chromium via Playwright) against the real stack:
the demo page, right-to-left Arabic and Dari, answers in the chosen language, history across
reloads, keyboard-only use, screen-reader semantics, contrast, HTML injection, safe links, a
phone screen and 200 % zoom, a dropped connection, and embedding on another site."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.screenshots import QUESTIONS, take_screenshots
from tests.browser.widget import STORAGE_KEY, Widget, ui_strings
from tests.helpers import assert_language

ARABIC_SCHOOL_QUESTION = "كيف اسجل ابني في المدرسة"
PERSIAN_ONLY_LETTERS = re.compile("[پچژگیک]")
EDGE_TOLERANCE_PX = 40  # log padding and scroll bar between a message and the panel's edge


def direction(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).direction")


def focused_class(widget: Widget) -> str:
    """The class (or, without one, the tag) of the focused element inside the widget; "" when
    focus is elsewhere."""
    return widget.host.evaluate(
        "host => { const a = host.shadowRoot.activeElement; return a ? (a.className || a.tagName.toLowerCase()) : ''; }")


def assert_in_arabic(text: str) -> None:
    assert_language([{"text": text}], "ar")
    assert not PERSIAN_ONLY_LETTERS.search(text), text


# --- language and direction -------------------------------------------------------------------

def test_arabic_turns_the_widget_right_to_left_and_answers_in_arabic(page, page_errors, web_url):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.goto(web_url + "/")
    widget = Widget(page)
    widget.open()
    expect(widget.host).to_have_attribute("dir", "ltr")
    expect(widget.host).to_have_attribute("lang", "sv")

    options = widget.language.locator("option")
    expect(options).to_have_text(["Svenska", "العربية", "دری"])
    assert [options.nth(i).get_attribute("lang") for i in range(3)] == ["sv", "ar", "fa-AF"]

    switch_reply = widget.pick_language("ar")
    expect(widget.host).to_have_attribute("dir", "rtl")
    expect(widget.host).to_have_attribute("lang", "ar")
    expect(widget.root).to_have_attribute("dir", "rtl")
    assert direction(widget.panel) == "rtl"
    assert_in_arabic(switch_reply)
    arabic = ui_strings(web_url, "ar")
    expect(widget.title).to_have_text(arabic["title"])
    expect(widget.input).to_have_attribute("placeholder", arabic["placeholder"])
    expect(widget.send_button).to_have_text(arabic["send"])

    answer = widget.ask(ARABIC_SCHOOL_QUESTION)
    assert_in_arabic(answer)
    assert "Nacka" in answer  # the demo page's municipality went along as metadata
    expect(widget.bot_messages.last).to_have_attribute("dir", "rtl")

    # Mirrored: the user's message at the left edge, the assistant's at the right edge.
    log = widget.log.bounding_box()
    mine, reply = widget.user_messages.last.bounding_box(), widget.bot_messages.last.bounding_box()
    assert mine["x"] - log["x"] < EDGE_TOLERANCE_PX
    assert (log["x"] + log["width"]) - (reply["x"] + reply["width"]) < EDGE_TOLERANCE_PX

    widget.pick_language("sv")  # and back, live
    expect(widget.host).to_have_attribute("dir", "ltr")
    assert direction(widget.panel) == "ltr"
    expect(widget.title).to_have_text(ui_strings(web_url, "sv")["title"])
    mine = widget.user_messages.last.bounding_box()
    assert (log["x"] + log["width"]) - (mine["x"] + mine["width"]) < EDGE_TOLERANCE_PX

    assert hosts == {"127.0.0.1"}, "the widget must load nothing from elsewhere (CDN, fonts, tracking)"
    assert page_errors == []


def test_dari_is_right_to_left_with_its_own_strings(widget, web_url):
    widget.open()
    widget.pick_language("fa_AF")
    expect(widget.host).to_have_attribute("lang", "fa-AF")
    expect(widget.host).to_have_attribute("dir", "rtl")
    expect(widget.title).to_have_text(ui_strings(web_url, "fa_AF")["title"])
    answer = widget.ask(QUESTIONS["fa_AF"])
    assert_language([{"text": answer}], "fa_AF")


# --- persistence ------------------------------------------------------------------------------

def test_reload_keeps_the_conversation(widget, chat):
    widget.open()
    widget.pick_language("ar")
    widget.ask(ARABIC_SCHOOL_QUESTION)
    bot_texts, user_texts = widget.bot_texts(), widget.user_texts()
    sender = widget.stored_state()["sender"]

    widget.page.reload()
    widget.wait_until_loaded()
    expect(widget.panel).to_be_visible()  # it was open
    assert widget.bot_texts() == bot_texts
    assert widget.user_texts() == user_texts == [ARABIC_SCHOOL_QUESTION]
    expect(widget.host).to_have_attribute("dir", "rtl")
    assert widget.stored_state()["sender"] == sender

    # The same conversation goes on in the assistant: same sender, Arabic remembered.
    answer = widget.ask("ما هي دروس SFI")
    assert_in_arabic(answer)
    assert chat.tracker(sender)["slots"]["language"] == "ar"


def test_new_conversation_forgets_the_old_one(widget, chat):
    widget.open()
    widget.ask("Vad kostar sfi?")
    old_sender = widget.stored_state()["sender"]
    widget.restart_button.click()
    widget.wait_until_delivered()
    assert widget.user_texts() == []
    assert len(widget.bot_texts()) == 1  # the new greeting
    new_sender = widget.stored_state()["sender"]
    assert new_sender != old_sender
    assert any(e["event"] == "user" for e in chat.tracker(new_sender)["events"])


# --- keyboard and screen readers ------------------------------------------------------------

def test_keyboard_only(widget):
    page = widget.page
    for _ in range(40):  # Tab through the page until the chat button has focus
        page.keyboard.press("Tab")
        if focused_class(widget) == "nw-bubble":
            break
    else:
        pytest.fail("Tab never reached the chat button")

    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    widget.wait_until_delivered()  # the greeting
    before = widget.bot_messages.count()
    page.keyboard.type("Vad kostar sfi?")
    page.keyboard.press("Enter")
    widget.wait_for_bot_messages(before + 1)
    widget.wait_until_delivered()
    assert_language([{"text": widget.text_of(widget.bot_messages.nth(before))}], "sv")
    expect(widget.input).to_have_value("")

    # Shift+Tab from the text box walks back through every control of the panel.
    reached = set()
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        focused = focused_class(widget)
        if not focused or focused == "nw-bubble":
            break
        reached.add(focused)
    assert {"nw-choice", "nw-log", "nw-icon-button", "nw-language"} <= reached

    widget.input.focus()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.bubble).to_be_focused()
    page.keyboard.press("Space")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()


def test_the_page_can_open_and_close_the_widget(widget):
    """window.NewcomerWidget, for a "Chat with us" link on the municipality's page."""
    widget.page.evaluate("() => window.NewcomerWidget.open()")
    expect(widget.panel).to_be_visible()
    widget.wait_until_delivered()
    widget.page.evaluate("() => window.NewcomerWidget.close()")
    expect(widget.panel).to_be_hidden()
    expect(widget.bubble).to_be_focused()


def test_buttons_are_real_buttons_that_send_their_choice(widget):
    widget.open()
    choice = widget.page.locator(".nw-choice").first
    expect(choice).to_have_attribute("type", "button")
    assert choice.evaluate("el => el.tagName") == "BUTTON"
    title = choice.inner_text()
    before = widget.bot_messages.count()
    choice.focus()
    widget.page.keyboard.press("Enter")
    widget.wait_for_bot_messages(before + 1)
    widget.wait_until_delivered()
    assert widget.user_texts()[-1] == title  # the title is shown, the payload was sent
    assert_language([{"text": widget.text_of(widget.bot_messages.nth(before))}], "sv")


def test_screen_reader_semantics(widget, web_url):
    strings = ui_strings(web_url, "sv")
    expect(widget.bubble).to_have_accessible_name(strings["open"])
    expect(widget.bubble).to_have_attribute("aria-expanded", "false")
    assert widget.bubble.evaluate("el => el.tagName") == "BUTTON"
    widget.open()
    expect(widget.bubble).to_have_attribute("aria-expanded", "true")
    expect(widget.bubble).to_have_accessible_name(strings["close"])
    expect(widget.panel).to_have_attribute("role", "dialog")
    expect(widget.panel).to_have_accessible_name(strings["title"])
    expect(widget.log).to_have_attribute("role", "log")
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.log).to_have_accessible_name(strings["conversation"])
    expect(widget.status).to_have_attribute("role", "status")
    expect(widget.close_button).to_have_accessible_name(strings["close"])
    expect(widget.restart_button).to_have_accessible_name(strings["restart"])
    expect(widget.language).to_have_accessible_name(strings["language"])
    expect(widget.input).to_have_accessible_name(strings["message"])
    expect(widget.send_button).to_have_accessible_name(strings["send"])
    expect(widget.typing.locator(".nw-sr")).to_have_text(f" {strings['typing']} ")
    # Each message says who wrote it, for those who cannot see which side it is on.
    widget.ask("Vad kostar sfi?")
    expect(widget.user_messages.last.locator(".nw-sr")).to_have_text(f" {strings['you']} ")
    expect(widget.bot_messages.last.locator(".nw-sr").first).to_have_text(f" {strings['assistant']} ")
    # Every control in the widget has a name.
    controls = widget.page.locator(".nw button, .nw select, .nw textarea")
    for index in range(controls.count()):
        name = controls.nth(index).evaluate("el => el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent")
        assert name.strip(), controls.nth(index).evaluate("el => el.outerHTML")


CONTRAST_JS = """(selectors) => {
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement || node.getRootNode().host) {
      const c = channels(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c;
    }
    return [255, 255, 255];
  };
  const host = document.querySelector('#newcomer-widget').shadowRoot;
  const result = {};
  for (const selector of selectors) {
    const el = host.querySelector(selector);
    if (!el) continue;
    const [a, b] = [luminance(channels(getComputedStyle(el).color)), luminance(background(el))];
    result[selector] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return result;
}"""
TEXT_SELECTORS = [".nw-title", ".nw-language-label", ".nw-language", ".nw-row-user .nw-msg",
                  ".nw-row-bot .nw-msg", ".nw-choice", ".nw-send", ".nw-input", ".nw-bubble"]


def assert_contrast_aa(widget: Widget) -> None:
    ratios = widget.page.evaluate(CONTRAST_JS, TEXT_SELECTORS)
    assert set(ratios) == set(TEXT_SELECTORS)
    assert {selector: round(ratio, 2) for selector, ratio in ratios.items() if ratio < 4.5} == {}


def test_text_contrast_meets_wcag_aa(widget):
    widget.open()
    widget.ask("Vad kostar sfi?")
    assert_contrast_aa(widget)


def test_reduced_motion_is_respected(chromium, web_url):
    for motion, animation in (("reduce", "none"), ("no-preference", "nw-blink")):
        context = chromium.new_context(viewport=DESKTOP, reduced_motion=motion)
        try:
            page = context.new_page()
            page.goto(web_url + "/")
            widget = Widget(page)
            widget.open()
            dots = page.locator(".nw-dots span").first
            assert dots.evaluate("el => getComputedStyle(el).animationName") == animation
            assert widget.panel.evaluate("el => getComputedStyle(el).animationName") == (
                "none" if motion == "reduce" else "nw-rise")
        finally:
            context.close()


# --- safety -----------------------------------------------------------------------------------

def test_html_typed_by_the_user_is_shown_as_text(widget, page_errors):
    attack = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    requested = []
    widget.page.on("request", lambda request: requested.append(request.url))
    widget.open()
    widget.ask(attack)
    for _ in range(2):  # as typed, and as restored from the stored history
        assert widget.user_texts()[-1] == attack
        assert widget.page.locator(".nw img, .nw b, .nw-log script").count() == 0
        assert widget.page.evaluate("() => window.__pwned") is None
        widget.page.reload()
        widget.wait_until_loaded()
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]
    assert page_errors == []


def test_links_in_bot_text_are_clickable_and_safe(widget):
    widget.open()
    widget.ask("Hur skriver jag in mitt barn i skolan?")
    links = widget.bot_messages.last.locator("a")
    assert links.count() >= 1
    for index in range(links.count()):
        link = links.nth(index)
        assert link.get_attribute("href").startswith(("https://", "http://"))
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert link.get_attribute("target") == "_blank"

    # A stored bot message with script URLs and markup: only the https URL becomes a link,
    # without the full stop after it; the rest stays text.
    text = ('Läs mer: javascript:alert(1) <a href="javascript:alert(2)">x</a> '
            'https://example.org/sfi?a=1&b=2. Slut')
    state = widget.stored_state()
    state["history"].append({"id": state["nextId"], "who": "bot", "text": text, "buttons": []})
    state["nextId"] += 1
    widget.page.evaluate("([key, value]) => localStorage.setItem(key, value)", [STORAGE_KEY, json.dumps(state)])
    widget.page.reload()
    widget.wait_until_loaded()
    last = widget.bot_messages.last
    assert widget.text_of(last) == text
    expect(last.locator("a")).to_have_count(1)
    assert last.locator("a").get_attribute("href") == "https://example.org/sfi?a=1&b=2"
    assert widget.page.locator('.nw a[href^="javascript"]').count() == 0


# --- small screens ----------------------------------------------------------------------------

@pytest.mark.parametrize("viewport,scale", [({"width": 360, "height": 740}, 3),   # a phone
                                            ({"width": 640, "height": 400}, 2)],  # 1280×800 at 200 % zoom
                         ids=["phone-360px", "zoom-200"])
def test_small_screens_get_a_full_width_panel_that_fits(chromium, web_url, viewport, scale):
    context = chromium.new_context(viewport=viewport, device_scale_factor=scale, has_touch=viewport["width"] < 400)
    try:
        page = context.new_page()
        page.goto(web_url + "/")
        widget = Widget(page)
        widget.open()
        widget.pick_language("ar")
        widget.ask(ARABIC_SCHOOL_QUESTION)
        panel = widget.panel.bounding_box()
        assert panel["x"] >= 0 and panel["y"] >= 0
        assert panel["x"] + panel["width"] <= viewport["width"] + 0.5
        assert panel["y"] + panel["height"] <= viewport["height"] + 0.5
        assert panel["width"] >= viewport["width"] - 1  # full width
        for control in (widget.input, widget.send_button, widget.language, widget.close_button):
            box = control.bounding_box()
            assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"] + 0.5
            assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"] + 0.5
        # Nothing sticks out sideways: not the log, not a message, not the page.
        assert widget.log.evaluate("el => el.scrollWidth <= el.clientWidth")
        for message in widget.bot_messages.all():
            box = message.bounding_box()
            assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        page.keyboard.press("Escape")
        expect(widget.bubble).to_be_visible()
    finally:
        context.close()


# --- connection -------------------------------------------------------------------------------

def test_a_message_sent_offline_is_kept_and_delivered_when_back_online(widget, context, chat, web_url):
    strings = ui_strings(web_url, "sv")
    widget.open()
    question = "Vad kostar sfi?"
    before = widget.bot_messages.count()

    context.set_offline(True)
    widget.input.fill(question)
    widget.input.press("Enter")
    expect(widget.status).to_be_visible()
    expect(widget.status).to_have_text(strings["offline"])
    expect(widget.page.locator(".nw-row-user .nw-note").last).to_have_text(strings["pending"])
    assert [item["message"] for item in widget.stored_state()["outbox"]] == [question]
    widget.page.wait_for_timeout(2500)  # a few failed attempts
    assert widget.bot_messages.count() == before

    context.set_offline(False)
    widget.wait_for_bot_messages(before + 1)
    widget.wait_until_delivered()
    expect(widget.status).to_have_text(strings["reconnected"])
    expect(widget.page.locator(".nw-row-user .nw-note").last).to_be_hidden()
    assert_language([{"text": widget.text_of(widget.bot_messages.nth(before))}], "sv")
    expect(widget.status).to_be_hidden(timeout=8000)

    sender = widget.stored_state()["sender"]
    said = [e["text"] for e in chat.tracker(sender)["events"] if e["event"] == "user"]
    assert said.count(question) == 1  # delivered once: nothing lost, nothing doubled


# --- embedding elsewhere ----------------------------------------------------------------------

def test_embedded_on_a_municipality_site_with_a_config_object(chromium, web_url, rasa_url, other_site):
    """Another origin (CORS for the strings and for Rasa), options from window.NewcomerWidgetConfig
    and data- attributes, a light colour that needs dark text, the bubble on the left."""
    other_site.pages["/"] = f"""<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Varbergs kommun</title></head>
<body><h1>Varbergs kommun</h1><p>Välkommen.</p>
<script>window.NewcomerWidgetConfig = {{language: "prs", primaryColor: "#ffd166", position: "left", municipality: "1383"}};</script>
<script src="{web_url}/widget/newcomer-widget.js" data-rasa-url="{rasa_url}" defer></script>
</body></html>"""
    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        origins = set()
        page.on("request", lambda request: origins.add(request.url.split("/")[2]))
        page.goto(other_site.url + "/")
        widget = Widget(page)
        widget.wait_until_loaded()
        expect(widget.host).to_have_attribute("lang", "fa-AF")
        expect(widget.host).to_have_attribute("dir", "rtl")
        assert widget.bubble.bounding_box()["x"] < 100  # position: left
        widget.open()
        expect(widget.title).to_have_text(ui_strings(web_url, "fa_AF")["title"])
        assert widget.page.locator(".nw-header").evaluate("el => getComputedStyle(el).color") == "rgb(27, 31, 35)"
        answer = widget.ask(QUESTIONS["fa_AF"])
        assert_language([{"text": answer}], "fa_AF")
        assert "Varberg" in answer  # the municipality from the config object
        assert_contrast_aa(widget)
        assert origins == {other_site.url[7:], web_url[7:], rasa_url[7:]}
    finally:
        context.close()


# --- screenshots for the docs ---------------------------------------------------------------

def test_screenshots_of_each_language_can_be_taken(chromium, web_url, tmp_path):
    paths = take_screenshots(chromium, web_url, tmp_path)
    assert [p.name for p in paths] == ["widget-sv.png", "widget-ar.png", "widget-fa_AF.png"]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 500_000
