"""What the web app serves for the widget, over plain HTTP: its files with the right types
and cache headers (runserver with DEBUG off), its UI strings per language from the catalogs,
and the demo page that embeds it with one script tag."""

from __future__ import annotations

import re

import pytest
import requests

from bot.language import LANGUAGES, NATIVE_NAMES
from webapp.widget.strings import UI_STRINGS, ui_strings
from webapp.widget.views import STATIC_DIR

FILES = {"newcomer-widget.js": "text/javascript", "newcomer-widget.css": "text/css"}


@pytest.mark.parametrize("filename,content_type", FILES.items())
def test_widget_files_are_served_with_type_and_cache_headers(web_url, filename, content_type):
    response = requests.get(f"{web_url}/widget/{filename}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response.content == (STATIC_DIR / filename).read_bytes()
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= cache_control
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    revalidated = requests.get(f"{web_url}/widget/{filename}", timeout=10,
                               headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert revalidated.status_code == 304
    assert requests.head(f"{web_url}/widget/{filename}", timeout=10).status_code == 200


@pytest.mark.parametrize("path", ["views.py", "strings.py", "..%2Fsettings.py", "static", "newcomer-widget.jsx"])
def test_nothing_but_the_widget_files_is_served(web_url, path):
    assert requests.get(f"{web_url}/widget/{path}", timeout=10).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_ui_strings_come_from_the_catalogs_per_language(web_url, language):
    response = requests.get(f"{web_url}/widget/strings/{language}.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["language"] == language
    assert body["dir"] == ("ltr" if language == "sv" else "rtl")
    assert set(body["strings"]) == set(UI_STRINGS)
    assert all(text.strip() for text in body["strings"].values())
    assert body["strings"] == ui_strings(language)  # the same catalogs as every other fixed string
    assert [(c["code"], c["name"]) for c in body["languages"]] == [(code, NATIVE_NAMES[code]) for code in LANGUAGES]
    assert [c["name"] for c in body["languages"]] == ["Svenska", "العربية", "دری"]
    assert body["maxLength"] > 0 and body["rasaUrl"].startswith("http")


@pytest.mark.parametrize("tag,served", [("prs", "fa_AF"), ("fa-AF", "fa_AF"), ("fa", "fa_AF"), ("ar-SY", "ar"),
                                        ("sv-SE", "sv"), ("en", "sv"), ("xx", "sv")])
def test_language_tags_from_outside_are_understood(web_url, tag, served):
    body = requests.get(f"{web_url}/widget/strings/{tag}.json", timeout=10).json()
    assert body["language"] == served


def test_the_widget_builds_its_dom_without_html_parsing_and_loads_nothing_from_elsewhere():
    script = (STATIC_DIR / "newcomer-widget.js").read_text()
    style = (STATIC_DIR / "newcomer-widget.css").read_text()
    for html_sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert html_sink not in script
    assert "textContent" in script
    # The only absolute URL in the script is the SVG namespace; the CSS has no URL at all.
    assert set(re.findall(r"https?://[^\s\"')]+", script)) <= {"http://www.w3.org/2000/svg", "https://ASSISTANT/widget/newcomer-widget.js"}
    assert "@import" not in style and "url(" not in style and "@font-face" not in style


def test_demo_page_embeds_the_widget_with_one_script_tag(web_url, rasa_url):
    response = requests.get(web_url + "/", timeout=10)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="sv">' in html
    assert "Det här är en demosida" in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == [f'<script src="/widget/newcomer-widget.js" data-rasa-url="{rasa_url}" '
                       'data-municipality="0182" defer>']
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert f"connect-src 'self' {rasa_url};" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert requests.get(web_url + "/healthz", timeout=10).json() == {"status": "ok"}
