"""Unanswered questions: grouping, training examples and their export to Rasa NLU files, and
content tasks that editors of the right municipality (only) can see and close."""

import uuid

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.test_review import at, fast_staff, marker
from webapp.staff.models import AuditEntry
from webapp.transcripts.models import ContentTask, TaskStatus, TrainingExample
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.sync import sync
from webapp.transcripts.training_export import FILE_NAME, as_example_line, export

DAY = "2025-06-10"


def groups_for(client, mark, **params):
    response = client.get(reverse("review-unanswered"), {"date_from": "2025-01-01", "date_to": "2025-12-31",
                                                         **params})
    assert response.status_code == 200
    return [g for g in response.context["page"].paginator.object_list if mark in g.key]


@pytest.fixture(scope="module")
def admin(database):
    return fast_staff("admin")


@pytest.fixture(scope="module")
def questions(database):
    """The same not-understood question three times in three spellings, and one other."""
    mark = marker()
    first = FakeConversation(language="ar", municipality="1383", at=at(DAY, 9))
    first.user(f"متى يفتح مكتب البلدية {mark}؟")
    first.bot("لم أفهم تماماً.", action="action_clarify")
    second = FakeConversation(language="ar", municipality="1383", at=at(DAY, 10))
    second.user(f"متى يفتح مكتـب البلديه {mark}")  # tatweel, ة typed as ه, no question mark
    second.bot("لم أفهم تماماً.", action="action_clarify")
    third = FakeConversation(language="ar", municipality="0182", at=at(DAY, 11))
    third.user(f"  متى يفتح مكتب البلدية {mark}!! ")
    understood = FakeConversation(language="sv", at=at(DAY, 12))
    understood.user(f"hur söker jag sfi {mark}", intent="sfi_enrol", confidence=0.96)
    other = FakeConversation(language="sv", at=at(DAY, 13))
    other.user(f"kan jag ta med hunden {mark}", intent="out_of_scope", confidence=0.41)  # low confidence
    sync()
    return {"mark": mark, "first": first.sender_id, "second": second.sender_id, "third": third.sender_id,
            "other": other.sender_id}


def test_spelling_variants_form_one_group_with_counts(admin, questions):
    _user, client = admin
    groups = groups_for(client, questions["mark"])
    assert [g.count for g in groups] == [3, 1]  # most frequent first; the understood one is absent
    group = groups[0]
    assert group.conversations == {questions["first"], questions["second"], questions["third"]}
    assert group.language == "ar" and group.municipality == "1383"
    assert group.example_sender_id == questions["third"]  # the latest
    assert groups[1].texts.most_common(1)[0][0].startswith("kan jag ta med hunden")
    page = client.get(reverse("review-unanswered"), {"date_from": DAY, "date_to": DAY}).content.decode()
    assert f'href="{reverse("review-conversation", args=[questions["third"]])}"' in page
    assert 'dir="rtl" lang="ar">متى يفتح' in page
    assert "Varberg" in page  # the task form suggests the asker's municipality


def test_language_and_date_filters(admin, questions):
    _user, client = admin
    assert [g.count for g in groups_for(client, questions["mark"], language="sv")] == [1]
    response = client.get(reverse("review-unanswered"), {"date_from": "2025-06-11", "date_to": "2025-06-12"})
    assert not [g for g in response.context["page"].paginator.object_list if questions["mark"] in g.key]
    bad = client.get(reverse("review-unanswered"), {"date_from": "2025-06-12", "date_to": "2025-06-01"})
    assert bad.status_code == 200 and "date_to" in bad.context["form"].errors


def test_add_training_example_and_export_valid_rasa_nlu(admin, questions, tmp_path):
    user, client = admin
    text = f"متى يفتح مكتب البلدية {questions['mark']}؟"
    response = client.post(reverse("review-add-training-example"), {
        "text": text, "language": "ar", "intent": "out_of_scope", "back": "date_from=2025-01-01&page=1"})
    assert response.status_code == 302 and response["Location"].endswith("?date_from=2025-01-01&page=1")
    example = TrainingExample.objects.get(language="ar", text=text)
    assert example.created_by == user and example.intent == "out_of_scope"
    assert AuditEntry.objects.filter(user=user, action="training_example_add", target_id=str(example.pk)).exists()
    # The handled group leaves the list, unless asked for.
    assert [g.count for g in groups_for(client, questions["mark"])] == [1]
    handled = groups_for(client, questions["mark"], include_handled="on")
    assert handled[0].training_intent == "out_of_scope"
    # Another spelling of the same question updates the example rather than adding one.
    client.post(reverse("review-add-training-example"), {
        "text": f"متى يفتح مكتب البلديه {questions['mark']}", "language": "ar", "intent": "help"})
    assert TrainingExample.objects.filter(key=example.key).count() == 1
    assert TrainingExample.objects.get(key=example.key).intent == "help"

    nlu_dir, heldout_dir = tmp_path / "nlu", tmp_path / "heldout"
    (nlu_dir / "ar").mkdir(parents=True)
    (heldout_dir / "ar").mkdir(parents=True)
    call_command("export_training_examples", nlu_dir=nlu_dir, heldout_dir=heldout_dir, stdout=open("/dev/null", "w"))
    path = nlu_dir / "ar" / FILE_NAME
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["version"] == "3.1"
    by_intent = {item["intent"]: item["examples"] for item in document["nlu"]}
    assert f"- متى يفتح مكتب البلديه {questions['mark']}\n" in by_intent["help"]

    # Rasa itself reads the file as NLU training data with that example and intent.
    from rasa.shared.nlu.training_data.loading import load_data

    training_data = load_data(str(path))
    pairs = {(m.get("text"), m.get("intent")) for m in training_data.training_examples}
    assert (f"متى يفتح مكتب البلديه {questions['mark']}", "help") in pairs
    assert not training_data.entity_examples


def test_export_adds_to_the_file_and_leaves_out_known_and_held_out_questions(database, tmp_path):
    user, _client = fast_staff("admin")
    mark = uuid.uuid4().hex[:8]
    nlu_dir, heldout_dir = tmp_path / "nlu", tmp_path / "heldout"
    for folder in (nlu_dir / "sv", heldout_dir / "sv"):
        folder.mkdir(parents=True)
    (nlu_dir / "sv" / "sfi.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: sfi_cost\n  examples: |\n    - kostar sfi pengar {mark}\n',
        encoding="utf-8")
    (heldout_dir / "sv" / "sfi.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: sfi_cost\n  examples: |\n    - är sfi gratis {mark}\n',
        encoding="utf-8")
    (nlu_dir / "sv" / FILE_NAME).write_text(
        f'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - tjenare {mark}\n', encoding="utf-8")
    for text, intent in ((f"Kostar SFI pengar {mark}?", "sfi_cost"), (f"är sfi gratis {mark}", "sfi_cost"),
                         (f"vad kostar böckerna [dyrt](price) {mark}", "sfi_cost")):
        TrainingExample.objects.create(text=text, language="sv", intent=intent, created_by=user)

    reports = {r.language: r for r in export(nlu_dir, heldout_dir)}
    report = reports["sv"]
    assert report.already_trained == [f"Kostar SFI pengar {mark}?"]
    assert report.held_out == [f"är sfi gratis {mark}"]
    examples = {(item["intent"], line[2:]) for item in yaml.safe_load(
        (nlu_dir / "sv" / FILE_NAME).read_text(encoding="utf-8"))["nlu"] for line in item["examples"].splitlines()}
    assert ("greet", f"tjenare {mark}") in examples  # what the file held stays
    assert ("sfi_cost", f"vad kostar böckerna [dyrt] (price) {mark}") in examples  # no entity syntax
    from rasa.shared.nlu.training_data.loading import load_data

    assert not load_data(str(nlu_dir / "sv" / FILE_NAME)).entity_examples


def test_example_lines_are_one_line_without_entity_syntax():
    assert as_example_line("ring [telefonnummer](snälla)\n nu") == "ring [telefonnummer] (snälla) nu"
    assert as_example_line("[a]{b} [c][d]") == "[a] {b} [c] [d]"


def test_training_example_needs_a_domain_intent_and_words(database):
    _user, client = fast_staff("admin")
    before = TrainingExample.objects.count()
    for data in ({"text": "hej", "language": "sv", "intent": "nlu_fallback"},
                 {"text": "?!", "language": "sv", "intent": "greet"},
                 {"text": "hej", "language": "xx", "intent": "greet"}):
        response = client.post(reverse("review-add-training-example"), data, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert TrainingExample.objects.count() == before


def test_content_task_is_seen_and_closed_by_its_municipality_only(admin, questions):
    admin_user, admin_client = admin
    text = f"kan jag ta med hunden {questions['mark']}"
    response = admin_client.post(reverse("review-open-content-task"), {
        "text": text, "language": "sv", "municipality": "Varberg", "note": "Svar om husdjur i boendet"})
    assert response.status_code == 302
    task = ContentTask.objects.get(text=text)
    assert task.municipality_id == "1383" and task.status == TaskStatus.OPEN and task.created_by == admin_user
    assert AuditEntry.objects.filter(action="content_task_open", target_id=str(task.pk), municipality="1383").exists()
    assert groups_for(admin_client, questions["mark"], include_handled="on")[-1].open_task

    varberg_user, varberg = fast_staff("editor", ["1383"])
    _nacka_user, nacka = fast_staff("editor", ["0182"])
    assert text in varberg.get(reverse("review-tasks")).content.decode()
    assert text not in nacka.get(reverse("review-tasks")).content.decode()
    close = reverse("review-task-close", args=[task.pk])
    assert nacka.post(close).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert varberg.post(close).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_by == varberg_user
    assert AuditEntry.objects.filter(user=varberg_user, action="content_task_close", target_id=str(task.pk)).exists()
    assert text not in varberg.get(reverse("review-tasks")).content.decode()  # open ones by default
    assert text in varberg.get(reverse("review-tasks"), {"status": "done"}).content.decode()


def test_national_content_tasks_are_for_admins(admin, questions):
    _admin_user, admin_client = admin
    text = f"national question {questions['mark']}"
    admin_client.post(reverse("review-open-content-task"), {"text": text, "language": "sv", "municipality": ""})
    task = ContentTask.objects.get(text=text)
    assert task.municipality is None
    _user, editor = fast_staff("editor", ["0182", "1383"])
    assert text not in editor.get(reverse("review-tasks"), {"status": "all"}).content.decode()
    assert editor.post(reverse("review-task-close", args=[task.pk])).status_code == 403
    assert text in admin_client.get(reverse("review-tasks")).content.decode()


def test_content_task_with_unknown_municipality_is_refused(admin, questions):
    _user, client = admin
    response = client.post(reverse("review-open-content-task"), {
        "text": "x y", "language": "sv", "municipality": "Atlantis"}, follow=True)
    assert "Ingen kommun heter" in response.content.decode()
    assert not ContentTask.objects.filter(text="x y").exists()


def test_only_admins_create_examples_and_tasks(database):
    _user, editor = fast_staff("editor", ["0182"])
    assert editor.post(reverse("review-add-training-example"),
                       {"text": "hej", "language": "sv", "intent": "greet"}).status_code == 403
    assert editor.post(reverse("review-open-content-task"),
                       {"text": "hej", "language": "sv", "municipality": "0182"}).status_code == 403
    assert editor.get(reverse("review-add-training-example")).status_code == 403
    _user, nobody = fast_staff(None)
    assert nobody.get(reverse("review-tasks")).status_code == 403

