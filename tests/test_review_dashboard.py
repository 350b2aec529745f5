"""The review dashboard: the numbers per day, language, topic and municipality and the rates,
the SVG charts drawn by matplotlib on the server, and their accessible tables."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_review import at, fast_staff
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.stats import dashboard_stats
from webapp.transcripts.sync import sync

# A fortnight in 2024 that no other test writes conversations into.
FIRST, SECOND = "2024-02-05", "2024-02-06"


@pytest.fixture(scope="module")
def admin_client(database):
    return fast_staff("admin")[1]


@pytest.fixture(scope="module")
def february(database):
    """Day one: three conversations (one handed over, one not understood); day two: one."""
    FakeConversation(language="sv", municipality="0182", at=at(FIRST, 9)).user(
        "hur söker jag sfi", intent="sfi_enrol", confidence=0.9).bot("Så här.", topic="sfi_enrol")
    FakeConversation(language="ar", municipality="0182", at=at(FIRST, 10)).user(
        "بدي احكي مع موظف", intent="request_human", confidence=0.9).bot("لحظة.", action="action_request_human").pause()
    FakeConversation(language="fa_AF", municipality="1383", at=at(FIRST, 23)).user("xqzt blorp").bot(
        "نفهمیدم.", action="action_clarify")
    FakeConversation(language="ar", at=at(SECOND, 0)).user(
        "كم الايجار", intent="housing_rent", confidence=0.9).bot("يعتمد.", topic="housing_rent")
    sync()


def test_numbers_per_day_language_topic_municipality_and_rates(february):
    stats = dashboard_stats(dt.date(2024, 2, 5), dt.date(2024, 2, 6))
    first, second = stats.days
    assert (first.conversations, first.handed_over, first.fallback) == (3, 1, 1)
    assert second.conversations == 1  # just after midnight in Stockholm counts on the 6th
    assert first.handoff_rate == pytest.approx(1 / 3) and first.fallback_rate == pytest.approx(1 / 3)
    assert dict(stats.languages) == {"Arabiska": 2, "Svenska": 1, "Dari": 1}
    assert dict(stats.topics) == {"sfi_enrol": 1, "housing_rent": 1, "(inget ämne)": 2}
    assert dict(stats.municipalities) == {"Nacka": 2, "Varberg": 1, "Ingen angiven": 1}
    assert stats.total == 4 and stats.handoff_rate == 0.25


def test_municipality_chart_keeps_the_top_ten_and_sums_the_rest(database):
    codes = ["0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "0138", "0139"]
    for i, code in enumerate(codes):
        for _ in range(2 if i < 10 else 1):
            FakeConversation(language="sv", municipality=code, at=at("2024-03-04", 12)).user(
                "hej", intent="greet", confidence=0.99).bot("Hej!", action="action_greet")
    sync()
    stats = dashboard_stats(dt.date(2024, 3, 4), dt.date(2024, 3, 4))
    assert len(stats.municipalities) == 11
    assert stats.municipalities[-1] == ("Övriga", 2)
    assert sum(count for _, count in stats.municipalities) == stats.total == 22


def test_dashboard_page_has_charts_and_their_tables(admin_client, february):
    response = admin_client.get(reverse("review-dashboard"), {"date_from": FIRST, "date_to": SECOND})
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("per-day", "languages", "topics", "municipalities", "rates"):
        assert f'src="{reverse("review-chart", args=[name])}?date_from={FIRST}&amp;date_to={SECOND}"' in page
    assert page.count("<table>") == 5 and page.count("<caption>") == 5
    assert '<th scope="row">2024-02-05</th><td>3</td>' in page
    assert '<th scope="row">Arabiska</th><td>2</td>' in page
    assert "33,3\u00a0%" in page  # the hand-off rate of the first day, in Swedish notation
    assert "<script" not in page  # no chart library in the browser


def test_dashboard_defaults_to_the_last_30_days(admin_client, database):
    response = admin_client.get(reverse("review-dashboard"))
    stats = response.context["stats"]
    assert stats.date_to == timezone.localdate()
    assert len(stats.days) == 30


def test_dashboard_with_a_bad_range_shows_the_error_and_the_default(admin_client, database):
    response = admin_client.get(reverse("review-dashboard"), {"date_from": "2024-03-01", "date_to": "2024-02-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors
    assert len(response.context["stats"].days) == 30
    assert admin_client.get(reverse("review-dashboard"), {"date_from": "1900-01-01"}).context["form"].errors


@pytest.mark.parametrize("name", ["per-day", "languages", "topics", "municipalities", "rates"])
def test_chart_view_returns_an_svg_drawn_by_matplotlib(admin_client, february, name):
    response = admin_client.get(reverse("review-chart", args=[name]), {"date_from": FIRST, "date_to": SECOND})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"Matplotlib" in response.content  # the generator's own mark in the metadata
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 5
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy


def test_same_numbers_give_the_same_svg(admin_client, february):
    url = reverse("review-chart", args=["per-day"])
    params = {"date_from": FIRST, "date_to": SECOND}
    assert admin_client.get(url, params).content == admin_client.get(url, params).content


def test_unknown_chart_is_404(admin_client, database):
    assert admin_client.get(reverse("review-chart", args=["pie"])).status_code == 404
