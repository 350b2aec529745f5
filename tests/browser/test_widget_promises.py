"""Promises the widget keeps to a newcomer (issue 16), in real Chromium against the real stack:
a pasted message over the limit is explained in the user's language and kept, never cut
silently; after a reload the panel shows the latest message; emoji are drawn with a colour
emoji font, not as empty boxes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bot.language import MAX_MESSAGE_CHARS
from tests.browser.widget import Widget, ui_strings

# Words newcomers paste (a letter, a decision), repeated well past the limit.
LONG_TEXT = {
    "sv": "Jag har fått ett brev från kommunen om sfi och förstår inte vad det betyder. ",
    "ar": "وصلتني رسالة من البلدية عن دروس السويدي وما فهمت شو المطلوب مني. ",
    "fa_AF": "از شاروالی یک نامه در باره کورس سویدنی گرفتم و نمی‌فهمم چه باید بکنم. ",
}
EMOJI = "😊"

# Draws ``text`` with the font the element uses and counts coloured pixels: a colour emoji font
# gives many, a missing glyph (an empty box or nothing) gives none.
_COLOURED_PIXELS = """(el, text) => {
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d');
  ctx.font = '40px ' + getComputedStyle(el).fontFamily;
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#000';
  ctx.fillText(text, 4, 4);
  const pixels = ctx.getImageData(0, 0, 64, 64).data;
  let coloured = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
    if (a > 0 && (Math.abs(r - g) > 30 || Math.abs(g - b) > 30)) coloured++;
  }
  return coloured;
}"""


def _start_in(widget: Widget, language: str) -> None:
    widget.open()
    if language != "sv":
        widget.pick_language(language)


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_pasted_message_over_the_limit_is_explained_and_kept(widget, web_url, language):
    _start_in(widget, language)
    text = (LONG_TEXT[language] * (MAX_MESSAGE_CHARS // len(LONG_TEXT[language]) + 5)).strip()
    assert len(text) > MAX_MESSAGE_CHARS
    users_before, bots_before = widget.user_messages.count(), widget.bot_messages.count()

    widget.input.fill(text)  # as a paste: no maxlength may cut it on the way in
    widget.input.press("Enter")

    notice = widget.page.locator(".nw-notice")
    expect(notice).to_be_visible()
    expected = widget.page.evaluate(
        "([template, count, limit, tag]) => template.replace('{count}', count.toLocaleString(tag))"
        ".replace('{limit}', limit.toLocaleString(tag))",
        [ui_strings(web_url, language)["too_long"], len(text), MAX_MESSAGE_CHARS, language.replace("_", "-")])
    expect(notice).to_have_text(expected)
    assert widget.input.input_value() == text, "what was written must stay in the box"
    assert widget.user_messages.count() == users_before and widget.bot_messages.count() == bots_before
    assert widget.stored_state()["outbox"] == []
    expect(widget.input).to_have_attribute("aria-invalid", "true")

    # Shortened, it goes out and the notice disappears.
    widget.input.fill(text[:200])
    expect(notice).to_be_hidden()
    widget.input.press("Enter")
    widget.wait_for_bot_messages(bots_before + 1)
    assert widget.user_texts()[-1] == text[:200].strip()


def test_after_a_reload_the_panel_shows_the_latest_message(widget):
    widget.open()
    for question in ["Vad är sfi?", "Kostar sfi pengar?", "Hur får jag bostadsbidrag?", "Vad är förskoleklass?"]:
        widget.ask(question)
    latest = widget.bot_texts()[-1]

    widget.page.reload()
    widget.wait_until_loaded()
    expect(widget.panel).to_be_visible()
    assert widget.bot_texts()[-1] == latest
    scroll = widget.log.evaluate("log => [log.scrollTop, log.clientHeight, log.scrollHeight]")
    assert scroll[2] > scroll[1], "the history must be longer than the panel for this test to mean anything"
    widget.page.wait_for_function(
        "() => { const log = document.querySelector('#newcomer-widget').shadowRoot.querySelector('.nw-log');"
        " return log.scrollTop + log.clientHeight >= log.scrollHeight - 2; }", timeout=5000,
        polling=100)
    expect(widget.bot_messages.last).to_be_in_viewport()


def test_emoji_are_drawn_with_a_colour_emoji_font(widget):
    widget.open()
    widget.ask(f"Tack {EMOJI}")
    message = widget.user_messages.last
    assert EMOJI in widget.text_of(message)
    family = message.evaluate("el => getComputedStyle(el).fontFamily")
    assert "Noto Color Emoji" in family, family  # named, so no system falls back to boxes
    assert message.evaluate(_COLOURED_PIXELS, EMOJI) > 50


# "Delete my data" as a newcomer writes it, with something personal in the conversation first.
ERASE_REQUESTS = {
    "sv": ("Hur anmäler jag mig till sfi? Mitt nummer är 070-123 45 67", "radera mina uppgifter"),
    "ar": ("كيف اسجل بالسفي؟ رقمي 0701234567", "بدي امسح كل شي كتبته"),
    "fa_AF": ("چطور در کورس sfi نام نویسی کنم؟ شماره من 0701234567", "معلومات مرا پاک کنید"),
}


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_delete_my_data_clears_the_screen_and_the_browser_storage(widget, web_url, chat, language):
    _start_in(widget, language)
    question, request = ERASE_REQUESTS[language]
    widget.ask(question)
    old_sender = widget.stored_state()["sender"]
    widget.ask(request)
    # The last buttons offered are the confirmation; "yes, delete everything" comes first.
    confirm = widget.page.locator(".nw-row-bot .nw-choices").last.locator(".nw-choice").first
    bots_before = widget.bot_messages.count()
    confirm.click()
    notice = ui_strings(web_url, language)["erased"]
    expect(widget.bot_messages.last).to_contain_text(notice, timeout=20000)
    assert widget.bot_messages.count() <= 2 and bots_before >= 2

    # Nothing of the conversation on screen or in the browser's storage; a new id follows.
    assert widget.user_messages.count() == 0
    stored = widget.page.evaluate("() => JSON.stringify(localStorage)")
    for trace in (old_sender, question, request, "0701234567", "070-123"):
        assert trace not in stored, trace
    screen = widget.log.evaluate("log => log.textContent")
    assert question not in screen and "0701234567" not in screen

    # The next message starts a new conversation under a new server-issued id, same language.
    widget.ask("sfi" if language == "sv" else question.split("؟")[0])
    new_sender = widget.stored_state()["sender"]
    assert new_sender and new_sender != old_sender
    assert chat.tracker(new_sender)["slots"]["language"] == language
    assert not [e for e in chat.tracker(old_sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize(("browser_locale", "language", "direction"),
                         [("ar-SY", "ar", "rtl"), ("fa-AF", "fa_AF", "rtl"), ("sv-SE", "sv", "ltr")])
def test_the_first_screen_is_in_the_browsers_language(chromium, web_url, browser_locale, language, direction):
    context = chromium.new_context(locale=browser_locale)
    try:
        page = context.new_page()
        page.goto(web_url + "/")  # the demo page itself is Swedish (data-language="sv")
        widget = Widget(page)
        widget.open()
        strings = ui_strings(web_url, language)
        expect(widget.host).to_have_attribute("dir", direction)
        expect(widget.send_button).to_have_text(strings["send"])
        expect(widget.input).to_have_attribute("placeholder", strings["placeholder"])
        expect(widget.title).to_have_text(strings["title"])
    finally:
        context.close()


@pytest.mark.parametrize(("question", "language"), [
    ("سلام، بدي سجل ابني بالمدرسة كيف؟", "ar"),
    ("سلام، اولادم را چطور در مکتب نام نویسی کنم؟", "fa_AF"),
])
def test_the_interface_follows_the_language_the_newcomer_writes(widget, web_url, question, language):
    """No picker: someone who simply types Arabic or Dari gets the whole interface in it."""
    widget.open()
    expect(widget.host).to_have_attribute("dir", "ltr")
    widget.ask(question)
    strings = ui_strings(web_url, language)
    expect(widget.host).to_have_attribute("dir", "rtl")
    expect(widget.host).to_have_attribute("lang", language.replace("_", "-"))
    expect(widget.send_button).to_have_text(strings["send"])
    expect(widget.input).to_have_attribute("placeholder", strings["placeholder"])
    expect(widget.log).to_have_attribute("aria-label", strings["conversation"])  # screen readers too
    assert widget.stored_state()["language"] == language
