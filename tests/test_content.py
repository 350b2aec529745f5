"""Content in the database: seeding, versions, and changes reaching the bot without retraining."""

import time

import pytest

from bot.content import ContentStore, topics
from tests.helpers import text_of


@pytest.fixture
def models(database):
    from webapp.content import models

    return models


def test_seed_has_national_answers_for_every_topic_and_language(models):
    published = models.AnswerVersion.objects.filter(status=models.Status.PUBLISHED, municipality=None)
    for language in ("sv", "ar", "fa_AF"):
        assert set(published.filter(language=language).values_list("topic", flat=True)) == set(topics())


def test_seed_has_facts_for_the_thirty_municipalities_verified_or_marked_as_example_data(models):
    facts = models.FactVersion.objects.filter(status=models.Status.PUBLISHED, origin="seed")
    ten = {"0182", "1383", "1499", "1278", "0115", "0181", "0139", "0160", "2560", "1263"}
    most_newcomers = {"0180", "1480", "1280", "0380", "1880", "0580", "1980", "0581", "1283", "0680",
                      "0181", "0127", "1490", "0484", "2480", "1281", "0780", "2180", "1380", "1780"}
    assert set(facts.values_list("municipality_id", flat=True)) == ten | most_newcomers
    # Example data has no verified date; a verified fact (issue 13) has one and names its page.
    assert all(f.verified_on is None for f in facts if f.is_example)
    assert all(f.verified_on and f.source_url.count("/") > 3 for f in facts if not f.is_example)
    assert any(not f.is_example for f in facts) and any(f.is_example for f in facts)
    assert all(f.url.startswith("https://") and f.source_name for f in facts)


def test_loading_again_adds_nothing_and_keeps_staff_edits(models):
    from django.core.management import call_command

    staff = models.AnswerVersion.objects.create(topic="sfi_levels", language="sv", text="Staff text.",
                                                status=models.Status.PUBLISHED, origin="staff")
    call_command("load_content")
    newest = models.AnswerVersion.objects.filter(topic="sfi_levels", municipality=None, language="sv").first()
    assert newest.pk == staff.pk
    staff.delete()


def test_store_uses_the_newest_published_version_only(models):
    store = ContentStore(refresh_seconds=0)
    nacka = models.Municipality.objects.get(code="0182")
    models.AnswerVersion.objects.create(topic="sfi_cost", municipality=nacka, language="sv",
                                        text="Published Nacka text.", status=models.Status.PUBLISHED)
    models.AnswerVersion.objects.create(topic="sfi_cost", municipality=nacka, language="sv",
                                        text="A draft nobody may see.", status=models.Status.DRAFT)
    answer = store.current().answer("sfi_cost", "0182", "sv")
    assert answer.text == "Published Nacka text." and answer.municipality == "0182"
    assert store.current().answer("sfi_cost", "1383", "sv").municipality is None  # national default
    models.AnswerVersion.objects.filter(topic="sfi_cost", municipality=nacka).delete()


def test_a_published_change_reaches_the_running_bot_within_seconds(models, chat):
    varberg = models.Municipality.objects.get(code="1383")
    sender = chat.new_sender()
    chat.send(sender, "ok", metadata={"language": "ar", "municipality": "1383"})
    models.AnswerVersion.objects.create(topic="sfi_cost", municipality=varberg, language="ar",
                                        text="نص جديد من موظفي فاربيري: الدروس مجانية.", status=models.Status.PUBLISHED)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "نص جديد من موظفي فاربيري" in text_of(chat.send(sender, "/sfi_cost")):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the published text did not reach the bot within 10 s")
    models.AnswerVersion.objects.filter(topic="sfi_cost", municipality=varberg).delete()
