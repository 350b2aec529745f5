"""What a user picks from the clarifying question's buttons shows on "Obesvarade frågor" as
the suggested label of that question, selected in the training-example form, and is exported
once an admin saves it."""

import pytest
import yaml
from django.urls import reverse

from tests.test_review import at, fast_staff, marker
from tests.test_review_unanswered import groups_for
from webapp.transcripts.models import TrainingExample
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.sync import sync
from webapp.transcripts.training_export import FILE_NAME, export

DAY = "2025-07-02"


@pytest.fixture(scope="module")
def admin(database):
    return fast_staff("admin")


def test_the_users_pick_is_the_suggested_label_and_exports(admin, database, tmp_path):
    mark = marker()
    picked = FakeConversation(language="ar", at=at(DAY, 9))
    picked.user(f"ابي اعرف عن الدورة {mark}")
    picked.bot("عذراً، لست متأكداً مما تقصده. هل سؤالك أحد هذه الأسئلة؟", action="action_clarify")
    picked.user("/sfi_cost", intent="sfi_cost", confidence=1.0)
    picked.bot("sfi مجانية", topic="sfi_cost")
    typed_on = FakeConversation(language="ar", at=at(DAY, 10))
    typed_on.user(f"ابي اعرف عن الدورة {mark}!")
    typed_on.bot("عذراً", action="action_clarify")
    typed_on.user("شو يعني")  # typed something else: no pick for the first question
    sync()

    user, client = admin
    [group] = groups_for(client, mark)
    assert group.count == 2 and group.picked_intent == "sfi_cost" and sum(group.picked.values()) == 1
    page = client.get(reverse("review-unanswered"), {"date_from": "2025-01-01", "date_to": "2025-12-31"})
    html = page.content.decode()
    assert 'data-picked="sfi_cost"' in html
    assert '<option value="sfi_cost" selected>' in html

    response = client.post(reverse("review-add-training-example"),
                           {"text": group.text, "language": "ar", "intent": group.picked_intent})
    assert response.status_code == 302
    assert TrainingExample.objects.filter(key=group.key, intent="sfi_cost").exists()
    nlu_dir, heldout_dir = tmp_path / "nlu", tmp_path / "heldout"
    (nlu_dir / "ar").mkdir(parents=True)
    (heldout_dir / "ar").mkdir(parents=True)
    export(nlu_dir, heldout_dir)
    exported = yaml.safe_load((nlu_dir / "ar" / FILE_NAME).read_text(encoding="utf-8"))
    assert any(item["intent"] == "sfi_cost" and mark in item["examples"] for item in exported["nlu"])
