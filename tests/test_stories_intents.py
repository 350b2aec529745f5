"""The conversation tests' user turns are understood as the stories say.

`rasa test core` (in `make test`) checks the actions the dialogue chooses; with rule-based
dialogue many intents share one action, so it cannot notice a wrongly understood message.
This test parses every typed user turn of tests/stories/ with the running server's
`/model/parse` and checks intent and municipality."""

from pathlib import Path

import pytest
import requests
import yaml

from bot.settings import rasa_token

STORIES = Path(__file__).resolve().parent / "stories"


def user_turns():
    for path in sorted(STORIES.glob("test_*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                text = (step.get("user") or "").strip()
                if text and not text.startswith("/"):
                    yield pytest.param(text, step["intent"], id=f"{path.stem}:{text[:30]}")


def plain_text(annotated: str) -> str:
    """'jag bor i [Varberg]{"entity": ...}' → 'jag bor i Varberg'."""
    import re

    return re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", annotated)


@pytest.mark.parametrize("text, intent", list(user_turns()))
def test_story_turn_is_understood(stack, text, intent):
    response = requests.post(f"http://127.0.0.1:{stack.rasa_port}/model/parse", params={"token": rasa_token()},
                             json={"text": plain_text(text)}, timeout=10)
    assert response.status_code == 200
    parsed = response.json()
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]
    if "{" in text:
        assert [e["value"] for e in parsed["entities"] if e["entity"] == "municipality"]
