"""The cycle that keeps the content correct (issue 13): every national topic carries its sources
and a review-by date, the database has them, the staff start page points out the texts past
their date and those whose law is changing, docs/content-sources.md and the README's count of
verified municipalities come from the data, and `manage.py links` checks every URL (here
against a server on 127.0.0.1; with FACTS_OFFLINE=1 against nothing)."""

import datetime as dt
import http.server
import io
import threading
import time
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from bot.settings import ROOT
from webapp.content.sources_doc import DOC_FILE, render
from webapp.content.topic_reviews import read_topic_reviews
from webapp.facts.verification import readme_sentence, summarise

TOPICS = yaml.safe_load((ROOT / "data" / "content" / "topics.yml").read_text(encoding="utf-8"))["topics"]


def test_every_national_topic_has_sources_a_last_review_and_a_review_by_date():
    for key, topic in TOPICS.items():
        assert topic.get("sources"), key
        for source in topic["sources"]:
            assert source["title"] and source["url"].startswith(("https://", "http://")), (key, source)
        assert isinstance(topic.get("reviewed_on"), dt.date), key
        assert isinstance(topic.get("review_by"), dt.date) and topic["review_by"] > topic["reviewed_on"], key


def test_bosattningslagen_is_flagged_for_review_because_of_sou_2025_35():
    settlement = TOPICS["housing_settlement"]
    assert "SOU 2025:35" in settlement["law_change"]
    assert any("HDB335" in s["url"] for s in settlement["sources"])


def test_the_topics_review_data_is_in_the_database(database):
    from webapp.content.models import TopicReview

    rows = {r.topic: r for r in TopicReview.objects.all()}
    for expected in read_topic_reviews():
        row = rows[expected["topic"]]
        assert (row.sources, row.reviewed_on, row.review_by, row.law_change) == \
            (expected["sources"], expected["reviewed_on"], expected["review_by"], expected["law_change"])


@pytest.fixture
def overdue_topic(database):
    """school_lunch made overdue for one test (restored after)."""
    from webapp.content.models import TopicReview

    row = TopicReview.objects.get(topic="school_lunch")
    original = row.review_by
    TopicReview.objects.filter(pk=row.pk).update(review_by=dt.date.today() - dt.timedelta(days=1))
    yield row.topic
    TopicReview.objects.filter(pk=row.pk).update(review_by=original)


def test_the_staff_start_page_lists_texts_past_their_date_and_texts_whose_law_changes(make_staff, overdue_topic):
    _, client = make_staff("editor", ["0182"])
    html = client.get("/staff/").content.decode()
    due = html.split('class="reviews-due"', 1)[1].split("</ul>", 1)[0]
    assert overdue_topic in due and "housing_settlement" not in due
    law = html.split('class="law-changes"', 1)[1].split("</ul>", 1)[0]
    assert "housing_settlement" in law and "SOU 2025:35" in law
    assert "/staff/content-reviews/" in html


def test_the_staff_review_page_lists_every_topic_with_its_sources(make_staff, overdue_topic):
    _, client = make_staff("editor", ["0182"])
    response = client.get("/staff/content-reviews/")
    assert response.status_code == 200
    html = response.content.decode()
    for key in TOPICS:
        assert f'data-topic="{key}"' in html, key
    assert f'class="due" data-topic="{overdue_topic}"' in html
    assert 'href="https://data.riksdagen.se/dokument/HDB335"' in html
    assert anonymous_is_sent_to_login()


def anonymous_is_sent_to_login() -> bool:
    from django.test import Client

    response = Client().get("/staff/content-reviews/")
    return response.status_code == 302 and "/staff/login/" in response["Location"]


def test_docs_content_sources_is_generated_from_the_data():
    assert DOC_FILE.read_text(encoding="utf-8") == render(), "run `.venv/bin/python manage.py content_sources`"
    text = DOC_FILE.read_text(encoding="utf-8")
    for key in TOPICS:
        assert f"`{key}`" in text


def test_the_readme_states_how_many_municipalities_have_verified_facts():
    summary = summarise()
    assert summary.with_verified_facts >= 5
    assert readme_sentence(summary) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_facts_report_prints_the_count(database):
    out = io.StringIO()
    call_command("facts_report", stdout=out)
    assert readme_sentence(summarise()) in out.getvalue()


# --- make links ------------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    hits = []

    def _answer(self, body: bool):
        type(self).hits.append((self.command, self.path))
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/head-refused":
            self.send_response(405 if self.command == "HEAD" else 200)
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    _Handler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _content(tmp_path: Path, base: str) -> tuple:
    content, municipalities = tmp_path / "content", tmp_path / "municipalities"
    (content / "answers").mkdir(parents=True)
    municipalities.mkdir()
    (content / "answers" / "sv.yml").write_text(
        f"answers:\n  sfi_enrol: \"Läs mer på {base}/ok.\"\n", encoding="utf-8")
    (content / "topics.yml").write_text(
        f"topics:\n  sfi_enrol:\n    source_url: {base}/moved\n    sources:\n"
        f"      - {{title: \"Borta\", url: \"{base}/missing\"}}\n", encoding="utf-8")
    (content / "facts.yml").write_text(
        f"facts:\n  \"0182\":\n    - {{kind: sfi_provider, url: \"{base}/slow\", source_url: \"{base}/head-refused\"}}\n",
        encoding="utf-8")
    (content / "office_hours.yml").write_text(f"municipalities:\n  \"0182\": {{url: \"{base}/ok\"}}\n", encoding="utf-8")
    (municipalities / "websites.yml").write_text(f"\"0182\": {{website: \"{base}/missing\"}}\n", encoding="utf-8")
    return content, municipalities


def test_links_reports_ok_redirect_broken_and_timeout_with_where_each_url_is_used(database, local_site, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("FACTS_OFFLINE", "0")
    content, municipalities = _content(tmp_path, local_site)
    report = tmp_path / "var" / "links.tsv"
    out = io.StringIO()
    call_command("links", content_dir=content, municipalities_dir=municipalities, report=report,
                 timeout=0.5, workers=2, no_database=True, stdout=out)
    rows = {line.split("\t")[2]: line.split("\t") for line in report.read_text(encoding="utf-8").splitlines()[1:-1]}
    assert rows[f"{local_site}/ok"][:2] == ["ok", "200"]
    assert "answers/sv.yml:answers.sfi_enrol" in rows[f"{local_site}/ok"][4]
    assert "office_hours.yml:municipalities.0182.url" in rows[f"{local_site}/ok"][4]
    assert rows[f"{local_site}/moved"][:2] == ["redirected", "200"] and rows[f"{local_site}/moved"][3] == f"{local_site}/ok"
    assert rows[f"{local_site}/missing"][:2] == ["broken", "404"]
    assert "websites.yml" in rows[f"{local_site}/missing"][4] and "topics.yml" in rows[f"{local_site}/missing"][4]
    assert rows[f"{local_site}/slow"][0] == "error" and "0.5 s" in rows[f"{local_site}/slow"][3]
    assert rows[f"{local_site}/head-refused"][:2] == ["ok", "200"]  # HEAD refused, GET answered
    assert "5 URLs checked: 1 ok" not in out.getvalue() and "5 URLs checked" in out.getvalue()
    assert f"report saved to {report}" in out.getvalue()


def test_links_with_facts_offline_requests_nothing_and_says_so(database, local_site, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTS_OFFLINE", "1")
    content, municipalities = _content(tmp_path, local_site)
    report = tmp_path / "var" / "links.tsv"
    out = io.StringIO()
    call_command("links", content_dir=content, municipalities_dir=municipalities, report=report, stdout=out)
    assert _Handler.hits == [] and not report.exists()
    assert "FACTS_OFFLINE=1" in out.getvalue() and "none was requested" in out.getvalue()
    assert _Handler.hits == [] and not report.exists()


def test_every_url_in_the_shipped_content_is_found():
    from webapp.content.links import collect_urls

    urls = collect_urls()
    assert "https://data.riksdagen.se/dokument/HDB335" in urls  # a topic's source
    assert "https://www.nacka.se/forskola-skola/valja-forskola-skola-ej-folkbokford-i-sverige/" in urls  # a fact
    assert "https://start.stockholm" in urls  # a municipality's web site
    assert not any(url.endswith((".", ",")) for url in urls)


def test_links_also_checks_what_staff_published_in_the_database(database, local_site, tmp_path, monkeypatch):
    from webapp.content.models import FactVersion, Status

    monkeypatch.setenv("FACTS_OFFLINE", "0")
    content, municipalities = _content(tmp_path, local_site)
    staff_fact = FactVersion.objects.create(municipality_id="0560", kind="sfi_provider", key="links-test",
                                            name="Staff fact", url=f"{local_site}/staff-page", source_name="test",
                                            source_url=f"{local_site}/ok", status=Status.PUBLISHED, origin="staff")
    try:
        report = tmp_path / "links.tsv"
        # Only Boxholm's staff content: other tests' staff rows may point at real sites.
        call_command("links", content_dir=content, municipalities_dir=municipalities, report=report, timeout=0.5,
                     municipality=["0560"], stdout=io.StringIO())
        rows = {line.split("\t")[2]: line.split("\t") for line in report.read_text(encoding="utf-8").splitlines()[1:-1]}
        assert rows[f"{local_site}/staff-page"][:2] == ["broken", "404"]
        assert "db:facts.0560.sfi_provider/links-test.url" in rows[f"{local_site}/staff-page"][4]
    finally:
        staff_fact.delete()


def test_load_content_retires_seed_facts_of_a_kind_that_no_longer_exists(database):
    from webapp.content.models import FactVersion, Status

    old = FactVersion.objects.create(municipality_id="0182", kind="preschool_placement", key="forskoleplats",
                                     name="Old kind", source_name="nacka.se", status=Status.PUBLISHED, origin="seed")
    call_command("load_content", stdout=io.StringIO())
    assert not FactVersion.objects.filter(pk=old.pk).exists()
    assert FactVersion.objects.filter(municipality_id="0182", kind="school_preschool_placement",
                                      status=Status.PUBLISHED).exists()
