"""All published content as YAML in the seed format of ``data/content/``, and back.

Export writes ``answers/<lang>.yml`` (the national texts under ``answers:`` exactly as the seed
files have them, and each municipality's own texts under ``municipalities: {code: {topic:
text}}``) and ``facts.yml`` (``facts: {code: [entries]}``, the seed's fields). ``load_content``
reads the same files, so an export can be committed and reviewed in git.

Import never edits a version: an entry whose text or fields differ from what is published now
becomes a new version (published, or a draft with ``as_drafts``), Swedish first so that each
translation records the Swedish version it was translated from. Everything is checked before
anything is written, and the whole import is one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from django.db import transaction
from django.utils import timezone

from bot.content import published_order, topics
from bot.language import LANGUAGES, SWEDISH
from webapp.content.models import AnswerVersion, FactKind, FactVersion, Municipality, Status

FACT_FIELDS = ("name", "url", "phone", "notes", "source_name", "source_url", "verified_on", "is_example")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # uncompressed; all content is well under 1 MB
ANSWER_HEADER = ("# Answer texts in {language}, exported from the content database ({day}).\n"
                 "# answers: the national default per topic; municipalities: each municipality's own texts.\n"
                 "# Import with `manage.py content_import <dir>` or in the staff app (admins).\n")
FACTS_HEADER = ("# Municipality facts, exported from the content database ({day}).\n"
                "# Import with `manage.py content_import <dir>` or in the staff app (admins).\n")


class ContentImportError(ValueError):
    """The files cannot be imported; the message lists every problem, in Swedish."""


# -- export -------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    # Multi-line texts as literal blocks, as in the seed files: readable diffs in git.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Code(str):
    """A municipality code: always quoted, as in the seed files ("0114" is no number)."""


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Code, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value),
                                                                             style='"'))


def _dump(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _current(queryset, identity) -> Dict[tuple, object]:
    current = {}
    for version in queryset.filter(status=Status.PUBLISHED).order_by(*published_order()):
        current.setdefault(identity(version), version)
    return current


def current_answers() -> Dict[Tuple[str, Optional[str], str], AnswerVersion]:
    return _current(AnswerVersion.objects.all(), lambda v: (v.topic, v.municipality_id, v.language))


def current_facts() -> Dict[Tuple[str, str, str], FactVersion]:
    return _current(FactVersion.objects.all(), lambda v: (v.municipality_id, v.kind, v.key))


def export_documents(today: Optional[dt.date] = None) -> Dict[str, str]:
    """``{relative path: YAML text}`` of everything published."""
    today = today or timezone.localdate()
    answers = current_answers()
    files = {}
    for language in LANGUAGES:
        national = {topic: v.text for (topic, code, lang), v in sorted(answers.items(), key=_answer_order)
                    if lang == language and code is None}
        local: Dict[str, Dict[str, str]] = {}
        for (topic, code, lang), version in sorted(answers.items(), key=_answer_order):
            if lang == language and code is not None:
                local.setdefault(_Code(code), {})[topic] = version.text
        document = {"language": language, "reviewed_on": today, "answers": national}
        if local:
            document["municipalities"] = local
        files[f"answers/{language}.yml"] = ANSWER_HEADER.format(language=language, day=today) + _dump(document)
    facts: Dict[str, List[dict]] = {}
    for (code, kind, key), version in sorted(current_facts().items()):
        entry = {"kind": kind, "key": key}
        for name in FACT_FIELDS:
            value = getattr(version, name)
            if value not in ("", None, {}):
                entry[name] = value
        entry["is_example"] = version.is_example
        facts.setdefault(_Code(code), []).append(entry)
    files["facts.yml"] = FACTS_HEADER.format(day=today) + _dump({"recorded_on": today, "facts": facts})
    return files


def _answer_order(item):
    (topic, code, language), _version = item
    keys = list(topics())
    return (code or "", keys.index(topic) if topic in keys else len(keys), topic)


def export_to_directory(directory: Path) -> List[Path]:
    written = []
    for name, text in export_documents().items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_documents().items():
            archive.writestr(name, text)
    return buffer.getvalue()


# -- import -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    answers_added: int = 0
    facts_added: int = 0
    unchanged: int = 0
    versions: List[object] = field(default_factory=list)


def documents_from_directory(directory: Path) -> List[Tuple[str, str]]:
    paths = sorted(directory.glob("answers/*.yml")) + sorted(directory.glob("facts.yml"))
    if not paths:
        raise ContentImportError(f"Inga filer att importera i {directory} (väntade answers/<språk>.yml och facts.yml).")
    return [(str(p.relative_to(directory)), p.read_text(encoding="utf-8")) for p in paths]


def documents_from_upload(name: str, data: bytes) -> List[Tuple[str, str]]:
    """A zip from ``export_zip``, or one YAML file."""
    if name.lower().endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as error:
            raise ContentImportError("Filen är ingen giltig zip-fil.") from error
        entries = [i for i in archive.infolist() if i.filename.endswith((".yml", ".yaml")) and not i.is_dir()]
        if sum(i.file_size for i in entries) > MAX_UPLOAD_BYTES:
            raise ContentImportError("Zip-filen är för stor.")
        if not entries:
            raise ContentImportError("Zip-filen innehåller inga YAML-filer.")
        return [(i.filename, archive.read(i).decode("utf-8", errors="replace")) for i in entries]
    if name.lower().endswith((".yml", ".yaml")):
        if len(data) > MAX_UPLOAD_BYTES:
            raise ContentImportError("Filen är för stor.")
        return [(name, data.decode("utf-8", errors="replace"))]
    raise ContentImportError("Ladda upp en zip-fil från exporten eller en .yml-fil.")


def _parse(documents: List[Tuple[str, str]]):
    """Check everything; returns (answers {(topic, code, lang): text}, facts {(code, kind, key): values})."""
    problems: List[str] = []
    answers: Dict[Tuple[str, Optional[str], str], str] = {}
    facts: Dict[Tuple[str, str, str], dict] = {}
    known_topics = set(topics())
    known_codes = set(Municipality.objects.values_list("code", flat=True))
    for name, text in documents:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            problems.append(f"{name}: ingen giltig YAML ({error.__class__.__name__}).")
            continue
        if not isinstance(document, dict):
            problems.append(f"{name}: väntade en YAML-karta överst.")
        elif "language" in document:
            _parse_answers(name, document, known_topics, known_codes, answers, problems)
        elif "facts" in document:
            _parse_facts(name, document, known_codes, facts, problems)
        else:
            problems.append(f"{name}: varken svarstexter (language/answers) eller fakta (facts).")
    if problems:
        raise ContentImportError("\n".join(problems))
    return answers, facts


def _parse_answers(name, document, known_topics, known_codes, answers, problems):
    language = document.get("language")
    if language not in LANGUAGES:
        problems.append(f"{name}: okänt språk {language!r}.")
        return
    sections = [(None, document.get("answers") or {})]
    sections += [(str(code), texts) for code, texts in (document.get("municipalities") or {}).items()]
    for code, texts in sections:
        if code is not None and code not in known_codes:
            problems.append(f"{name}: okänd kommunkod {code!r}.")
            continue
        if not isinstance(texts, dict):
            problems.append(f"{name}: texterna för {code or 'nationellt'} är ingen karta ämne → text.")
            continue
        for topic, text in texts.items():
            if topic not in known_topics:
                problems.append(f"{name}: okänt ämne {topic!r}.")
            elif not isinstance(text, str) or not text.strip():
                problems.append(f"{name}: {topic} ({code or 'nationellt'}) saknar text.")
            else:
                answers[(topic, code, language)] = text.strip()


def _parse_facts(name, document, known_codes, facts, problems):
    entries_by_code = document.get("facts") or {}
    if not isinstance(entries_by_code, dict):
        problems.append(f"{name}: facts ska vara en karta kommunkod → lista.")
        return
    for code, entries in entries_by_code.items():
        code = str(code)
        if code not in known_codes:
            problems.append(f"{name}: okänd kommunkod {code!r}.")
            continue
        for entry in entries or []:
            kind, key = (entry or {}).get("kind"), (entry or {}).get("key")
            if kind not in FactKind.values or not key or not entry.get("name") or not entry.get("source_name"):
                problems.append(f"{name}: {code}: varje faktum behöver giltig kind, key, name och source_name.")
                continue
            verified_on = entry.get("verified_on")
            if isinstance(verified_on, str):
                try:
                    verified_on = dt.date.fromisoformat(verified_on)
                except ValueError:
                    problems.append(f"{name}: {code}/{kind}/{key}: verified_on är inget datum.")
                    continue
            notes = entry.get("notes") or {}
            if not isinstance(notes, dict) or any(lang not in LANGUAGES for lang in notes):
                problems.append(f"{name}: {code}/{kind}/{key}: notes ska ha språkkoderna {', '.join(LANGUAGES)}.")
                continue
            facts[(code, kind, str(key))] = {
                "name": str(entry["name"]), "url": entry.get("url") or "", "phone": str(entry.get("phone") or ""),
                "notes": {lang: str(text) for lang, text in notes.items() if text},
                "source_name": str(entry["source_name"]), "source_url": entry.get("source_url") or "",
                "verified_on": verified_on, "is_example": bool(entry.get("is_example", False)),
            }


def import_documents(documents: List[Tuple[str, str]], user=None, as_drafts: bool = False) -> ImportResult:
    """Add a version for every entry that differs from what is published now."""
    from webapp.editor import workflow  # the editor owns versioning rules; imported here to avoid a cycle

    answers, facts = _parse(documents)
    status = Status.DRAFT if as_drafts else Status.PUBLISHED
    result = ImportResult()
    with transaction.atomic():
        current = current_answers()
        new_swedish: Dict[Tuple[str, Optional[str]], AnswerVersion] = {}
        for (topic, code, language), text in sorted(answers.items(), key=lambda i: (i[0][2] != SWEDISH, i[0][2],
                                                                                     i[0][1] or "", i[0][0])):
            existing = current.get((topic, code, language))
            if existing is not None and existing.text.strip() == text:
                result.unchanged += 1
                continue
            # A translation imported together with a new Swedish text is a translation of it.
            source = new_swedish.get((topic, code)) if language != SWEDISH else None
            version = workflow.save_answer(user, topic, code, language, text, status=status, origin="import",
                                           source_version=source)
            if language == SWEDISH:
                new_swedish[(topic, code)] = version
            result.versions.append(version)
            result.answers_added += 1
        current = current_facts()
        for (code, kind, key), values in sorted(facts.items()):
            existing = current.get((code, kind, key))
            if existing is not None and workflow.fact_values(existing) == values:
                result.unchanged += 1
                continue
            version = workflow.save_fact(user, code, kind, key, values, status=status, origin="import")
            result.versions.append(version)
            result.facts_added += 1
    return result
