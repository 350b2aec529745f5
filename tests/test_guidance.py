"""The guidance sent while waiting for a person (data/content/handoff_guidance.yml): every
category written in all three languages, with its sources, for intents the domain knows.
(tests/test_handoff_stack.py asks the running bot for each category in each language.)"""

import re

import pytest
import yaml

from bot import guidance
from bot.language import LANGUAGES
from bot.settings import ROOT

DOMAIN_INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
HIGH_STAKES = {"handoff_residence_permit", "handoff_deportation", "handoff_eviction", "handoff_social_services",
               "handoff_debt"}


def test_every_high_stakes_hand_off_has_guidance_and_nothing_else_does():
    covered = {intent for intent in DOMAIN_INTENTS if guidance.category_for(intent)}
    assert covered == HIGH_STAKES
    assert guidance.guidance_for("request_human", "sv") is None


@pytest.mark.parametrize("category", guidance.categories())
def test_each_category_names_its_sources(category):
    urls = guidance.sources(category)
    assert urls and all(re.match(r"https?://[^\s]+$", url) for url in urls)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", sorted(HIGH_STAKES))
def test_guidance_is_written_in_each_language_and_says_it_is_general(intent, language):
    text = guidance.guidance_for(intent, language)
    assert text and text != guidance.guidance_for(intent, "sv") or language == "sv"
    last_line = text.splitlines()[-1]
    assert {"sv": "allmän information", "ar": "معلومات عامة", "fa_AF": "معلومات عمومی"}[language] in last_line
    if language == "fa_AF":  # Persian letters, never the Arabic yeh and kaf
        assert "ي" not in text and "ك" not in text
    if language == "ar":
        assert not set("پچژگی") & set(text)
