"""Language detection, explicit choices and normalisation (bot.language)."""

import pytest

from bot.language import (
    ARABIC, DARI, SWEDISH, canonical_language, choose_reply_language, clean_text,
    detect_language, explicit_language_choice, normalize_for_nlu,
)


@pytest.mark.parametrize("text, language", [
    ("Hur anmäler jag mig till sfi?", SWEDISH),
    ("hur mycket kostar hyran i nacka", SWEDISH),
    ("min barn behover skola", SWEDISH),
    ("كيف أسجل في مدرسة اللغة", ARABIC),
    ("بدي سجل ابني بالمدرسة", ARABIC),
    ("شلون اكدر اسجل ب sfi", ARABIC),
    ("وين لازم روح عشان السكن", ARABIC),
    ("چطور در sfi ثبت نام کنم", DARI),
    ("اولادم مکتب میخواهند", DARI),
    ("كرايه خانه چند است", DARI),  # Dari typed on an Arabic keyboard
    ("میخایم به کورس زبان بروم", DARI),
])
def test_detects_the_language_of_typical_messages(text, language):
    detection = detect_language(text)
    assert detection.language == language
    assert detection.confident


@pytest.mark.parametrize("text", ["ok", "1", "👍👍", "", "   ", "sfi", "سلام"])
def test_short_or_ambiguous_messages_are_not_confident(text):
    assert not detect_language(text).confident


@pytest.mark.parametrize("current", [SWEDISH, ARABIC, DARI])
@pytest.mark.parametrize("text", ["ok", "1", "👍"])
def test_ambiguous_messages_keep_the_conversation_language(text, current):
    assert choose_reply_language(text, current) == current


def test_salam_keeps_arabic_and_dari_but_moves_a_swedish_conversation_to_arabic_script():
    assert choose_reply_language("سلام", DARI) == DARI
    assert choose_reply_language("سلام", ARABIC) == ARABIC
    assert choose_reply_language("سلام", SWEDISH) in (ARABIC, DARI)


@pytest.mark.parametrize("text, language", [
    ("på svenska", SWEDISH), ("kan du skriva på arabiska", ARABIC), ("بالعربي", ARABIC),
    ("به دری", DARI), ("dari lotfan", DARI), ("svenska tack", SWEDISH), ("بالسويدي", SWEDISH),
])
def test_explicit_choice_wins(text, language):
    assert explicit_language_choice(text) == language
    other = DARI if language != DARI else SWEDISH
    assert choose_reply_language(text, other) == language


def test_a_long_sentence_mentioning_a_language_is_not_a_switch():
    text = "min son läser arabiska i skolan varje vecka och vi undrar om modersmål kostar något"
    assert explicit_language_choice(text) is None
    assert choose_reply_language(text, ARABIC) == SWEDISH


def test_a_confident_message_in_another_language_switches():
    assert choose_reply_language("هل السكن مجاني", SWEDISH) == ARABIC
    assert choose_reply_language("jag vill plugga svenska", DARI) == SWEDISH


def test_requested_language_from_a_button_overrides_detection():
    assert choose_reply_language("", SWEDISH, requested="prs") == DARI


@pytest.mark.parametrize("tag, code", [
    ("sv", SWEDISH), ("sv-SE", SWEDISH), ("ar", ARABIC), ("ar-SY", ARABIC), ("fa_AF", DARI),
    ("fa-AF", DARI), ("prs", DARI), ("fa", DARI), ("en", None), ("", None), (None, None), (42, None),
])
def test_language_tags_from_outside(tag, code):
    assert canonical_language(tag) == code


def test_normalisation_folds_keyboard_variants():
    assert normalize_for_nlu("كيف") == normalize_for_nlu("کیف")
    assert normalize_for_nlu("می‌خواهم") == normalize_for_nlu("می خواهم") == normalize_for_nlu("میخواهم")
    assert normalize_for_nlu("مَدْرَسَة") == normalize_for_nlu("مدرسه")
    assert normalize_for_nlu("أريد") == normalize_for_nlu("اريد")
    assert normalize_for_nlu("كـــيف") == normalize_for_nlu("کیف")
    assert normalize_for_nlu("۴۱۳۱۹") == normalize_for_nlu("٤١٣١٩") == "41319"


def test_cleaning_removes_controls_and_bidi_overrides_and_caps_length():

    cleaned = clean_text("hej\u202e\x00\x07 då\u200b")
    assert "\u202e" not in cleaned and "\x00" not in cleaned and "\u200b" not in cleaned
    assert cleaned.startswith("hej") and cleaned.endswith("då")
    assert len(clean_text("x" * 10_000)) == 2000
    assert clean_text(None) == ""


@pytest.mark.parametrize("text, language", [
    ("كم تكلفة دروس اللغة السويدية sfi؟", ARABIC),
    ("وين اتعلم اللغة السويدية", ARABIC),
    ("کورس زبان سویدنی کجاس", DARI),
    ("درس سویدنی برای کلانسالان", DARI),
])
def test_asking_about_swedish_classes_is_not_a_switch_to_swedish(text, language):
    assert explicit_language_choice(text) is None
    assert choose_reply_language(text, language) == language


@pytest.mark.parametrize("text, language", [
    ("svenska", SWEDISH), ("العربية", ARABIC), ("دری", DARI), ("جاوبني بالعربي لو سمحت", ARABIC),
    ("لطفاً به دری جواب بدهید", DARI), ("kan du svara på svenska", SWEDISH),
])
def test_choices_still_switch(text, language):
    assert explicit_language_choice(text) == language


@pytest.mark.parametrize("text, current", [
    # A redaction label, markup and an id in Latin letters outnumber the Arabic word; none of
    # them says anything about the language ("e" inside a hex id once counted as Swedish "e").
    ("رقمي [telefonnummer] <script>alert(1)</script> 3e4a5b", ARABIC),
    ("نمبر من [telefonnummer] و e-post [e-post] https://www.nacka.se/e/sfi", DARI),
    ("SFI2 3e 1e", DARI),
])
def test_labels_markup_and_ids_do_not_switch_to_swedish(text, current):
    assert detect_language(text).language != SWEDISH
    assert choose_reply_language(text, current) == current


def test_swedish_with_an_id_and_a_link_is_still_swedish():
    assert detect_language("hej jag har ärende 3e4a, se www.nacka.se").language == SWEDISH
