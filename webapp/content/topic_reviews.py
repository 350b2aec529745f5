"""The review cycle of the national texts: topics.yml's sources and dates, in the database.

``sync_topic_reviews`` is shared by the migration that creates the table and by
``load_content``: the YAML is the source of truth for the national texts, so every load brings
the rows in line with it (staff do not edit these rows; they edit the YAML in a review).
"""

import datetime as dt
from pathlib import Path
from typing import List

import yaml

from bot.settings import ROOT

TOPICS_FILE = ROOT / "data" / "content" / "topics.yml"


def _date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _web_url(topic: str, url) -> str:
    """Only http(s) links reach the staff pages (a ``javascript:`` source would be a link that runs)."""
    url = str(url)
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"topics.yml: {topic}: source URL must start with http(s)://, got {url!r}")
    return url


def read_topic_reviews(path: Path = TOPICS_FILE) -> List[dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for key, topic in document["topics"].items():
        rows.append({
            "topic": key,
            "sources": [{"title": str(s["title"]), "url": _web_url(key, s["url"])} for s in topic.get("sources") or []],
            "reviewed_on": _date(topic.get("reviewed_on")),
            "review_by": _date(topic.get("review_by")),
            "law_change": str(topic.get("law_change") or ""),
        })
    return rows


def sync_topic_reviews(model, path: Path = TOPICS_FILE) -> int:
    """Create or update one row per topic in the YAML; drop rows of topics that no longer
    exist. Returns how many rows were created or changed."""
    rows = read_topic_reviews(path)
    changed = 0
    for row in rows:
        values = {k: v for k, v in row.items() if k != "topic"}
        current = model.objects.filter(topic=row["topic"]).first()
        if current is None:
            model.objects.create(topic=row["topic"], **values)
            changed += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            model.objects.filter(pk=current.pk).update(**values)
            changed += 1
    model.objects.exclude(topic__in=[r["topic"] for r in rows]).delete()
    return changed
