"""The publisher's review queue and the side-by-side review of a draft against the text the bot
uses now; for Arabic and Dari, the Swedish text behind it and whether it is outdated."""

import pytest

from tests.test_editor import content, newest, post_action, save, url_answer  # noqa: F401

# Not used by tests/test_editor.py; its ``content`` fixture cleans it up all the same.
PLACE = "0184"
TOPIC = "sfi_cost"


@pytest.fixture
def drafts_in_review(make_staff, content):  # noqa: F811
    """An editor of PLACE saved a local Swedish and Arabic text and sent both for review."""
    _editor, client = make_staff("editor", [PLACE])
    save(client, PLACE, TOPIC, sv="Sfi är gratis i Solna. Ta med legitimation.",
         ar="دروس sfi مجانية في سولنا. أحضر بطاقة الهوية.")
    post_action(client, url_answer(PLACE, TOPIC), "submit_all")
    return newest(content, PLACE, TOPIC, "sv"), newest(content, PLACE, TOPIC, "ar")


def test_a_publishers_start_page_says_what_waits_for_them(make_staff, drafts_in_review):
    swedish, arabic = drafts_in_review
    _publisher, client = make_staff("publisher", [PLACE])
    home = client.get("/staff/").content.decode()
    assert "2 texter väntar på din granskning" in home
    assert f'href="/staff/content/review/{swedish.pk}/"' in home
    assert f'href="/staff/content/review/{arabic.pk}/"' in home
    # Another municipality's publisher and an editor of this one are not asked to review.
    _other, other_client = make_staff("publisher", ["0182"])
    assert f"/staff/content/review/{arabic.pk}/" not in other_client.get("/staff/").content.decode()
    assert other_client.get(f"/staff/content/review/{arabic.pk}/").status_code == 404
    _editor, editor_client = make_staff("editor", [PLACE])
    assert "väntar på din granskning" not in editor_client.get("/staff/").content.decode()
    assert editor_client.get("/staff/content/review/").status_code == 403


def test_review_shows_the_live_text_beside_the_draft_and_the_swedish_source(make_staff, drafts_in_review, content):  # noqa: F811
    swedish, arabic = drafts_in_review
    _publisher, client = make_staff("publisher", [PLACE])
    national_ar = content.AnswerVersion.objects.filter(topic=TOPIC, municipality=None, language="ar",
                                                       status="published").order_by("-published_at").first()
    page = client.get(f"/staff/content/review/{arabic.pk}/").content.decode()
    # Left: the national Arabic text the bot uses in Solna now; right: the draft.
    assert f"Används nu: v{national_ar.pk} (nationell text)" in page
    assert '<div class="editor-diff" id="live-text" dir="rtl" lang="ar">' in page
    assert "<ins>" in page and "<del>" in page
    assert "سولنا" in page
    # The Swedish it was translated from is the Swedish draft, not published yet: outdated.
    assert 'id="translation-outdated"' in page
    assert "Publicera den svenska texten först" in page
    assert "Sfi är gratis i Solna." in page

    post_action(client, url_answer(PLACE, TOPIC), "publish", swedish)
    page = client.get(f"/staff/content/review/{arabic.pk}/").content.decode()
    assert 'id="translation-current"' in page and 'id="translation-outdated"' not in page
    # Published from the queue, it leaves the queue.
    post_action(client, url_answer(PLACE, TOPIC), "publish", arabic)
    assert client.get(f"/staff/content/review/{arabic.pk}/").status_code == 404
    assert "Inga texter väntar på din granskning" in client.get("/staff/").content.decode()


def test_badges_say_one_thing_each(make_staff, content):  # noqa: F811
    _publisher, client = make_staff("publisher", [PLACE])
    url = url_answer(PLACE, TOPIC)
    save(client, PLACE, TOPIC, sv="Solna: sfi v1.", ar="سولنا: ١")
    post_action(client, url, "submit_all")
    post_action(client, url, "publish_all")
    save(client, PLACE, TOPIC, sv="Solna: sfi v2.")
    post_action(client, url, "submit", newest(content, PLACE, TOPIC, "sv"))
    post_action(client, url, "publish", newest(content, PLACE, TOPIC, "sv"))
    listing = client.get("/staff/content/", {"m": PLACE}).content.decode()
    row = listing[listing.index(url):].split("</tr>")[0]
    assert '<span class="badge warn">föråldrad översättning</span>' in row
    assert '<span class="badge warn">boten svarar på svenska</span>' in row
    assert " – " not in "".join(part.split("</span>")[0] for part in row.split('class="badge')[1:])
