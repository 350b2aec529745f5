"""The Telegram layer's plain functions: isolates, message splitting, settings, chat identity."""

import pytest
from telegram import Update

from bot.telegram.config import ConfigError, TelegramConfig, file_url_for, webhook_accepts_updates
from bot.telegram.formatting import MESSAGE_LIMIT, isolate_ltr_runs, split_message, utf16_length
from bot.telegram.relay import ChatRef
from tests.fake_telegram import text_update

FSI, PDI = "\u2068", "\u2069"


# --- isolates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("در کمون Nacka زندگی می‌کنم", f"در کمون {FSI}Nacka{PDI} زندگی می‌کنم"),
    # punctuation after a link belongs to the right-to-left sentence, not to the link
    ("ببینید: https://www.nacka.se.", f"ببینید: {FSI}https://www.nacka.se{PDI}."),
    ("اتصل على +46 8 718 80 00.", f"اتصل على {FSI}+46 8 718 80 00{PDI}."),
    # a bracket around a Swedish word stays outside it
    ("طابور السكن (bostadskö)", f"طابور السكن ({FSI}bostadskö{PDI})"),
    ("SFI – کورس زبان سویدنی", f"{FSI}SFI{PDI} – کورس زبان سویدنی"),
    ("/help – ما الذي يمكنني فعله", f"{FSI}/help{PDI} – ما الذي يمكنني فعله"),
])
def test_latin_runs_in_right_to_left_text_are_isolated(text, expected):
    assert isolate_ltr_runs(text) == expected


def test_runs_the_assistant_isolated_are_not_wrapped_again():
    text = f"در کمون {FSI}Nacka{PDI}: {FSI}https://www.nacka.se{PDI} و Varberg"
    once = isolate_ltr_runs(text)
    assert once == f"در کمون {FSI}Nacka{PDI}: {FSI}https://www.nacka.se{PDI} و {FSI}Varberg{PDI}"
    assert isolate_ltr_runs(once) == once
    assert FSI + FSI not in once


def test_left_to_right_text_and_lines_are_left_alone():
    assert isolate_ltr_runs("Hej! Vad kostar SFI i Nacka?") == "Hej! Vad kostar SFI i Nacka?"
    mixed = "Välj språk\nبأي لغة تريد أن أكتب لك؟ SFI"
    assert isolate_ltr_runs(mixed) == f"Välj språk\nبأي لغة تريد أن أكتب لك؟ {FSI}SFI{PDI}"


def test_the_language_decides_when_the_caller_knows_it():
    assert isolate_ltr_runs("Nacka", "fa_AF") == f"{FSI}Nacka{PDI}"
    # a bracket inside a Swedish name stays with the name
    assert isolate_ltr_runs("• Vuxenutbildningen (Komvux) i Nacka را ببینید", "fa_AF") == \
        f"• {FSI}Vuxenutbildningen (Komvux) i Nacka{PDI} را ببینید"
    assert isolate_ltr_runs("Nacka", "sv") == "Nacka"


# --- splitting -----------------------------------------------------------------------------------

def test_short_text_is_one_part():
    assert split_message("Hej.") == ["Hej."]
    assert split_message("  \n ") == []


def test_long_text_is_cut_at_paragraphs_first_and_parts_stay_long():
    paragraphs = ["A" * 3000, "B" * 3000, "C" * 100]
    assert split_message("\n\n".join(paragraphs)) == ["A" * 3000, "B" * 3000 + "\n\n" + "C" * 100]


def test_long_text_is_cut_at_sentences_and_stays_whole():
    sentences = [f"Mening nummer {i} i en lång text om bostadskön." for i in range(300)]
    text = " ".join(sentences)
    parts = split_message(text)
    assert len(parts) >= 3
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text


def test_arabic_question_marks_end_sentences_too():
    text = " ".join(["كيف أسجل في المدرسة؟"] * 400)
    parts = split_message(text)
    assert len(parts) > 1 and all(p.endswith("؟") for p in parts)


def test_emoji_count_twice_as_telegram_counts_them():
    text = "😀" * 3000  # 6000 UTF-16 code units, no boundary at all
    parts = split_message(text)
    assert [utf16_length(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == text


def test_a_cut_never_falls_inside_an_isolated_run():
    name = f"{FSI}{'Vuxenutbildningen i Upplands-Bro ' * 10}{PDI}"
    text = "ا" * 4000 + " " + name + " پایان"
    parts = split_message(text)
    assert all(p.count(FSI) == p.count(PDI) for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_the_limit_can_be_smaller():
    assert split_message("one two three four", limit=9) == ["one two", "three", "four"]


# --- settings --------------------------------------------------------------------------------------

BASE = {"TELEGRAM_TOKEN": "123:abc"}


def test_without_a_token_the_front_end_is_off():
    with pytest.raises(ConfigError, match="TELEGRAM_TOKEN is not set"):
        TelegramConfig.from_env({})


def test_polling_is_the_default_and_a_local_bot_api_server_can_stand_in():
    config = TelegramConfig.from_env({**BASE, "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert config.mode == "polling"
    assert config.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert TelegramConfig.from_env(BASE).base_url == "https://api.telegram.org/bot"
    assert file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"


@pytest.mark.parametrize("environment, complaint", [
    ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.se/telegram/webhook"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "s3cret"}, "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "not allowed!", "TELEGRAM_WEBHOOK_URL": "https://x.se/w"},
     "may only contain"),
    ({"TELEGRAM_MODE": "carrier-pigeon"}, "polling' or 'webhook"),
])
def test_a_webhook_needs_a_valid_secret_and_a_url(environment, complaint):
    with pytest.raises(ConfigError, match=complaint):
        TelegramConfig.from_env({**BASE, **environment})


def test_the_webhook_route_takes_updates_only_in_webhook_mode_with_a_secret():
    assert webhook_accepts_updates({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "s"})
    assert not webhook_accepts_updates({"TELEGRAM_MODE": "webhook"})
    assert not webhook_accepts_updates({"TELEGRAM_WEBHOOK_SECRET": "s"})


# --- chat identity -----------------------------------------------------------------------------------

@pytest.mark.parametrize("telegram_code, language", [
    ("sv", "sv"), ("ar", "ar"), ("fa", "fa_AF"), ("en", None), (None, None)])
def test_the_telegram_app_language_is_the_starting_context(telegram_code, language):
    update = Update.de_json({"update_id": 1, **text_update(42, "Hej", telegram_code)}, None)
    chat = ChatRef.from_update(update)
    assert chat.telegram_language == language
    assert chat.sender == "telegram-42"
    assert chat.metadata() == {"channel": "telegram", **({"language": language} if language else {})}
