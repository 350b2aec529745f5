"""Every crisis number in one place: seeded from data/content/crisis_lines.yml, changed by an
admin in Django's admin, kept by the seed, and used at once by every crisis reply of the running
bot in every language."""

import time

import pytest

from bot import crisis_lines
from bot.language import LANGUAGES
from tests.helpers import text_of

NEW_BRIS = "116 123"  # a stand-in number for the test; restored afterwards


@pytest.fixture
def admin_client(database):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="crisis-admin", defaults={"is_staff": True,
                                                                                        "is_superuser": True})
    client = Client()
    client.force_login(user)
    return client


def test_the_seed_loads_every_line_with_its_number_and_source(database):
    from webapp.content.models import CrisisLine

    rows = {row.key: row for row in CrisisLine.objects.all()}
    for key, line in crisis_lines.seed().items():
        assert rows[key].number == line.number and rows[key].source_url.startswith("http"), key
    assert rows["emergency"].number == "112" and rows["children_line"].number == "116 111"


def test_an_admin_changes_a_number_once_and_every_crisis_reply_uses_it(admin_client, chat):
    from django.core.management import call_command

    from webapp.content.models import CrisisLine

    bris = CrisisLine.objects.get(key="children_line")
    original = {f: getattr(bris, f) for f in ("number", "changed_by_staff")}
    url = f"/admin/content/crisisline/{bris.pk}/change/"
    assert admin_client.get("/admin/content/crisisline/").status_code == 200
    try:
        response = admin_client.post(url, {"name": bris.name, "number": NEW_BRIS, "description": bris.description,
                                           "source_url": bris.source_url, "checked_on": "2026-12-04"})
        assert response.status_code == 302, response.content[:2000]
        bris.refresh_from_db()
        assert bris.number == NEW_BRIS and bris.changed_by_staff
        call_command("load_content")  # the seed runs on every start: it must keep the admin's number
        bris.refresh_from_db()
        assert bris.number == NEW_BRIS

        for language in LANGUAGES:
            for crisis in ("crisis_violence", "crisis_suicide"):
                sender = chat.new_sender()
                deadline = time.monotonic() + 10
                while True:
                    text = text_of(chat.send(sender, f"/{crisis}", {"language": language, "municipality": "0182"})[:1])
                    if NEW_BRIS in text or time.monotonic() > deadline:
                        break
                    sender = chat.new_sender()
                    time.sleep(0.5)
                assert NEW_BRIS in text and "116 111" not in text and "112" in text, (language, crisis, text)
    finally:
        CrisisLine.objects.filter(pk=bris.pk).update(**original)
        CrisisLine.objects.get(pk=bris.pk).save()  # bump the content revision: the bot reloads


def test_admins_cannot_add_or_delete_a_line(admin_client):
    from webapp.content.models import CrisisLine

    bris = CrisisLine.objects.get(key="children_line")
    assert admin_client.get("/admin/content/crisisline/add/").status_code == 403
    assert admin_client.get(f"/admin/content/crisisline/{bris.pk}/delete/").status_code == 403
