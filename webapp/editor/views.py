"""The content editor's pages under /staff/content/: list, answer and fact editing with
history, diff and restore, preview, and (admins) YAML export and import.

Every view: ``staff_required`` first, then the editor's own checks (``permissions``) on the
municipality and topic of the URL, for GET and POST alike. Every change is audit-logged.
POSTs redirect back (no form is sent twice on reload).
"""

from __future__ import annotations

from typing import Dict, List, Optional

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bot.answers import TOPIC_TITLES
from bot.content import topics
from bot.i18n import translate
from bot.language import LANGUAGES, SWEDISH
from webapp.content.models import AnswerVersion, FactKind, FactVersion, Municipality, Status
from webapp.content import yaml_io
from webapp.editor import diff, permissions, preview, state, workflow
from webapp.editor.forms import FACT_KIND_LABELS, FactForm, ImportForm, NewFactForm, PreviewForm
from webapp.editor.templatetags.editor_extras import STATUS_LABELS
from webapp.staff import audit
from webapp.staff.access import is_admin, municipality_codes, staff_required
from webapp.staff.models import Area, Role

NATIONAL = "national"
LANGUAGE_META = {
    "sv": {"label": "Svenska", "lang": "sv", "dir": "ltr"},
    "ar": {"label": "Arabiska – العربية", "lang": "ar", "dir": "rtl"},
    "fa_AF": {"label": "Dari – دری", "lang": "fa-AF", "dir": "rtl"},
}
AREA_ORDER = [Area.SFI, Area.HOUSING, Area.SCHOOL, Area.GENERAL]
HISTORY_LIMIT = 50


# -- helpers ------------------------------------------------------------------------------------

def topic_label(key: str) -> str:
    """The topic's Swedish button title, as newcomers see it; the key where there is none."""
    return translate(SWEDISH, TOPIC_TITLES[key]) if key in TOPIC_TITLES else key.replace("_", " ")


def _code(place: str) -> Optional[str]:
    return None if place == NATIONAL else place


def _place_label(municipality: Optional[Municipality]) -> str:
    return municipality.name if municipality else "Nationella standardtexter"


def _municipality_or_404(code: Optional[str]) -> Optional[Municipality]:
    return get_object_or_404(Municipality, code=code) if code else None


def _places_of(user) -> List[Municipality]:
    codes = municipality_codes(user)
    queryset = Municipality.objects.all() if codes is None else Municipality.objects.filter(code__in=codes)
    return list(queryset.order_by("name"))


def _version_label(version) -> str:
    return f"v{version.pk}"


def _history_rows(versions, current) -> List[dict]:
    rows = []
    for version in versions[:HISTORY_LIMIT]:
        status = STATUS_LABELS.get(version.status, version.status)
        if version.status == Status.PUBLISHED and current is not None and version.pk != current.pk:
            status = "publicerad tidigare"
        rows.append({"version": version, "status_label": status, "is_current": current is not None
                     and version.pk == current.pk})
    return rows


def _audit(request, action: str, version, **detail):
    audit.record(request, action, target=version, municipality=version.municipality_id or "", **detail)


def _post_version(request, model, **identity):
    """The version named in the POST, which must belong to the page's identity (else 404)."""
    try:
        pk = int(request.POST.get("version", ""))
    except ValueError:
        raise Http404("no version")
    return get_object_or_404(permissions.visible_versions(request.user, model.objects.all()), pk=pk, **identity)


# -- list ---------------------------------------------------------------------------------------

@staff_required(Role.EDITOR)
@require_http_methods(["GET"])
def content_list(request):
    """Choose a municipality; its topics per area with each language's state, its facts, and
    the facts of all one's municipalities that were not verified for six months."""
    user = request.user
    places = _places_of(user)
    chosen = request.GET.get("m") or (NATIONAL if is_admin(user) else (places[0].code if places else ""))
    code = _code(chosen) if chosen else None
    if chosen:
        permissions.check_place(user, code)
        municipality = _municipality_or_404(code)
    else:
        municipality = None
    groups = []
    if chosen:
        keys = [key for key in topics() if permissions.may_edit(user, code, key)]
        states = state.topic_states(code, keys)
        by_area: Dict[str, list] = {}
        for key in keys:
            by_area.setdefault(permissions.area_of(key), []).append({
                "key": key, "label": topic_label(key),
                "cells": [{"language": lang, "meta": LANGUAGE_META[lang], "state": states[key][lang]}
                          for lang in LANGUAGES],
            })
        groups = [{"area": area, "label": Area(area).label, "topics": by_area[area]}
                  for area in AREA_ORDER if area in by_area]
    codes = municipality_codes(user)
    all_facts = [f for f in state.fact_states(codes) if permissions.may_edit(user, f.code, f.kind)]
    place_facts = [f for f in all_facts if code and f.code == code]
    stale = [f for f in all_facts if f.is_stale()]
    fact_kinds = [k for k in FactKind.values if code and permissions.may_edit(user, code, k)]
    return render(request, "editor/list.html", {
        "places": places, "chosen": chosen, "code": code, "municipality": municipality,
        "place_label": _place_label(municipality) if chosen else "", "is_admin": is_admin(user),
        "groups": groups, "languages": [LANGUAGE_META[lang] for lang in LANGUAGES],
        "place_facts": place_facts, "stale_facts": stale, "can_add_fact": bool(fact_kinds),
        "kind_labels": FACT_KIND_LABELS, "stale_since": state.six_months_before(timezone.localdate()),
    })


# -- answers ------------------------------------------------------------------------------------

@staff_required(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def answer_edit(request, place: str, topic: str):
    """One topic at one place: Swedish, Arabic and Dari side by side; save, review, publish,
    history, restore."""
    code = _code(place)
    if topic not in topics():
        raise Http404("unknown topic")
    permissions.check_edit(request.user, code, topic)
    municipality = _municipality_or_404(code)
    if request.method == "POST":
        with transaction.atomic():
            _answer_post(request, topic, code)
        return redirect(request.path)
    return render(request, "editor/answer_edit.html", _answer_context(request, topic, code, municipality))


def _answer_context(request, topic: str, code: Optional[str], municipality) -> dict:
    states = state.topic_states(code, [topic])[topic]
    columns = []
    for language in LANGUAGES:
        lang_state = states[language]
        versions = list(workflow.answer_versions(topic, code, language))
        # The textarea starts from the newest version here; a municipality without its own text
        # starts from the national one (saved only if changed).
        base = lang_state.newest or lang_state.national
        columns.append({
            "language": language, "meta": LANGUAGE_META[language], "state": lang_state, "base": base,
            "text": base.text if base else "", "history": _history_rows(versions, lang_state.local),
            "pending": lang_state.pending, "is_translation": language != SWEDISH,
            "state_swedish_id": states[SWEDISH].in_use.pk if states[SWEDISH].in_use else None,
        })
    swedish_base = columns[0]["base"]
    may_publish = permissions.may_publish(request.user, code, topic)
    return {
        "topic": topic, "topic_label": topic_label(topic), "place": code or NATIONAL, "code": code,
        "place_label": _place_label(municipality), "columns": columns, "swedish_base": swedish_base,
        "may_publish": may_publish,
        "any_in_review": any(c["pending"] and c["pending"].status == Status.REVIEW for c in columns),
        "any_draft": any(c["pending"] and c["pending"].status == Status.DRAFT for c in columns),
        "diff_url": reverse("editor-answer-diff", args=[code or NATIONAL, topic]),
        "area_label": Area(permissions.area_of(topic)).label,
    }


def _answer_post(request, topic: str, code: Optional[str]) -> None:
    action = request.POST.get("action")
    user = request.user
    identity = {"topic": topic, "municipality_id": code}
    if action == "save":
        _save_answers(request, topic, code)
    elif action == "submit":
        _transition(request, workflow.submit, _post_version(request, AnswerVersion, **identity), "content_submit",
                    "Skickad för granskning.")
    elif action == "submit_all":
        drafts = [v for v in _pending_versions(topic, code) if v.status == Status.DRAFT]
        for version in drafts:
            workflow.submit(version)
            _audit(request, "content_submit", version, topic=topic, language=version.language)
        messages.success(request, f"{len(drafts)} utkast skickade för granskning.")
    elif action in ("publish", "send_back", "publish_all"):
        permissions.check_publish(user, code, topic)
        if action == "publish_all":
            in_review = [v for v in _pending_versions(topic, code) if v.status == Status.REVIEW]
            for version in workflow.publish_all_in_review(user, in_review):
                _audit(request, "content_publish", version, topic=topic, language=version.language)
            messages.success(request, f"{len(in_review)} versioner publicerade. Boten använder dem inom några sekunder.")
        elif action == "publish":
            _transition(request, lambda v: workflow.publish(user, v), _post_version(request, AnswerVersion, **identity),
                        "content_publish", "Publicerad. Boten använder texten inom några sekunder.")
        else:
            note = request.POST.get("note", "")
            _transition(request, lambda v: workflow.send_back(v, note),
                        _post_version(request, AnswerVersion, **identity), "content_send_back",
                        "Skickad tillbaka som utkast.", note=note[:500])
    elif action == "restore":
        old = _post_version(request, AnswerVersion, **identity)
        version = workflow.restore(user, old)
        _audit(request, "content_restore", version, topic=topic, language=version.language, restored_from=old.pk)
        messages.success(request, f"Version {old.pk} kopierad till ett nytt utkast ({_version_label(version)}).")
    else:
        messages.error(request, "Okänd åtgärd.")


def _pending_versions(topic: str, code: Optional[str]) -> List[AnswerVersion]:
    """Per language, the newest version if it is not published yet."""
    states = state.topic_states(code, [topic])[topic]
    return [states[lang].pending for lang in LANGUAGES if states[lang].pending is not None]


def _transition(request, step, version, action: str, success: str, **detail) -> None:
    try:
        step(version)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return
    _audit(request, action, version, topic=getattr(version, "topic", getattr(version, "kind", "")),
           language=getattr(version, "language", ""), **detail)
    messages.success(request, success)


def _here_or_national(queryset, code: Optional[str]):
    """Versions of this place, or the national ones (a local text may start from those)."""
    if code is None:
        return queryset.filter(municipality__isnull=True)
    return queryset.filter(Q(municipality_id=code) | Q(municipality__isnull=True))


def _posted_version(request, field: str, topic: str, language: str, code: Optional[str]):
    """The version id in a hidden field, if it is one of this topic's (else None)."""
    try:
        pk = int(request.POST.get(field, ""))
    except ValueError:
        return None
    candidates = _here_or_national(AnswerVersion.objects.filter(pk=pk, topic=topic, language=language), code)
    return permissions.visible_versions(request.user, candidates).first()


def _save_answers(request, topic: str, code: Optional[str]) -> None:
    """A new draft for every language whose text changed (or whose translation the person
    confirms as matching the Swedish text shown)."""
    user = request.user
    saved = []
    new_swedish = None
    # The Swedish version shown while the translations were written.
    source = _posted_version(request, "source_sv", topic, SWEDISH, code)
    for language in LANGUAGES:  # Swedish first: translations saved with it are based on it
        text = workflow.normalise_text(request.POST.get(f"text_{language}", ""))
        base = _posted_version(request, f"base_{language}", topic, language, code)
        base_text = workflow.normalise_text(base.text) if base else ""
        confirmed = language != SWEDISH and request.POST.get(f"confirm_{language}") == "1"
        if text == base_text and not (confirmed and text):
            continue
        if not text:
            messages.error(request, f"{LANGUAGE_META[language]['label']}: en tom text sparas inte. "
                                    "Skriv en text, eller återställ en äldre version.")
            continue
        newest = workflow.answer_versions(topic, code, language).first()
        if newest is not None and base is not None and newest.pk != base.pk and base.municipality_id == code:
            messages.warning(request, f"{LANGUAGE_META[language]['label']}: någon annan sparade version "
                                      f"{newest.pk} medan du skrev. Din text är sparad som en ny version; "
                                      "jämför dem i historiken.")
        version = workflow.save_answer(user, topic, code, language, text,
                                       source_version=(new_swedish or source) if language != SWEDISH else None)
        if language == SWEDISH:
            new_swedish = version
        saved.append(version)
        _audit(request, "content_save", version, topic=topic, language=language,
               source_version=version.source_version_id)
    if saved:
        names = ", ".join(LANGUAGE_META[v.language]["label"].split(" – ")[0] for v in saved)
        messages.success(request, f"Sparat som utkast: {names}. Skicka för granskning när texten är klar.")
    elif not any(m.level >= messages.WARNING for m in messages.get_messages(request)):
        messages.info(request, "Inget ändrat, inget sparat.")


@staff_required(Role.EDITOR)
@require_http_methods(["GET"])
def answer_diff(request, place: str, topic: str):
    """Word-level differences between two versions (of this place, or the national text)."""
    code = _code(place)
    if topic not in topics():
        raise Http404("unknown topic")
    permissions.check_edit(request.user, code, topic)
    municipality = _municipality_or_404(code)
    allowed = permissions.visible_versions(
        request.user, _here_or_national(AnswerVersion.objects.filter(topic=topic), code))
    language = request.GET.get("language") if request.GET.get("language") in LANGUAGES else SWEDISH
    old, new, problem = _pick_pair(request, allowed, language)
    context = {"topic": topic, "topic_label": topic_label(topic), "place": code or NATIONAL,
               "place_label": _place_label(municipality), "old": old, "new": new, "problem": problem}
    if old and new:
        context.update(meta=LANGUAGE_META[new.language], segments=diff.word_diff(old.text, new.text),
                       old_meta=LANGUAGE_META[old.language])
    return render(request, "editor/answer_diff.html", context)


def _pick_pair(request, allowed, language: str):
    """The two versions to compare: ``a`` and ``b`` from the query (older first), or the two
    newest of ``language``."""
    try:
        ids = [int(request.GET[k]) for k in ("a", "b") if request.GET.get(k)]
    except ValueError:
        raise Http404("bad version")
    if len(ids) == 2:
        found = {v.pk: v for v in allowed.filter(pk__in=ids)}
        if len(found) != len(set(ids)):
            raise Http404("version of another topic or place")
        old, new = sorted((found[ids[0]], found[ids[1]]), key=lambda v: v.pk)
        if getattr(old, "language", None) != getattr(new, "language", None):
            return None, None, "Versionerna är på olika språk; välj två versioner på samma språk."
        return old, new, ""
    newest_two = list(allowed.filter(language=language).order_by("-id")[:2]) if hasattr(
        allowed.model, "language") else list(allowed.order_by("-id")[:2])
    if len(newest_two) < 2:
        return None, None, "Det finns bara en version; välj två versioner i historiken för att jämföra."
    return newest_two[1], newest_two[0], ""


# -- facts --------------------------------------------------------------------------------------

def _fact_context(request, code: str, kind: str, key: str, form=None) -> dict:
    versions = list(workflow.fact_versions(code, kind, key))
    if not versions:
        raise Http404("no such fact")
    live = workflow.current_published(workflow.fact_versions(code, kind, key))
    fact_state = state.FactState(code, kind, key, live, versions[0])
    form = form or FactForm(initial=FactForm.initial_from(workflow.fact_values(versions[0])))
    return {
        "code": code, "kind": kind, "key": key, "kind_label": FACT_KIND_LABELS.get(kind, kind),
        "municipality": versions[0].municipality, "form": form, "state": fact_state,
        "base": versions[0], "history": _history_rows(versions, live),
        "may_publish": permissions.may_publish(request.user, code, kind),
        "note_fields": [(form[f"notes_{lang}"], LANGUAGE_META[lang]) for lang in LANGUAGES],
        "diff_url": reverse("editor-fact-diff", args=[code, kind, key]),
    }


@staff_required(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def fact_edit(request, code: str, kind: str, key: str):
    """One municipality fact: fields, notes per language, source, verified date; versions."""
    if kind not in FactKind.values:
        raise Http404("unknown kind")
    permissions.check_edit(request.user, code, kind)
    get_object_or_404(Municipality, code=code)
    identity = {"municipality_id": code, "kind": kind, "key": key}
    if request.method == "POST":
        action = request.POST.get("action")
        user = request.user
        if action == "save":
            form = FactForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Kontrollera fälten nedan.")
                return render(request, "editor/fact_edit.html", _fact_context(request, code, kind, key, form),
                              status=400)
            newest = workflow.fact_versions(code, kind, key).first()
            if newest is None:
                raise Http404("no such fact")
            if workflow.fact_values(newest) == form.values():
                messages.info(request, "Inget ändrat, inget sparat.")
            else:
                with transaction.atomic():
                    version = workflow.save_fact(user, code, kind, key, form.values())
                    _audit(request, "fact_save", version, kind=kind, key=key)
                messages.success(request, "Sparat som utkast. Skicka för granskning när det är klart.")
        elif action == "submit":
            _transition(request, workflow.submit, _post_version(request, FactVersion, **identity), "fact_submit",
                        "Skickad för granskning.")
        elif action in ("publish", "send_back"):
            permissions.check_publish(user, code, kind)
            version = _post_version(request, FactVersion, **identity)
            if action == "publish":
                _transition(request, lambda v: workflow.publish(user, v), version, "fact_publish",
                            "Publicerad. Boten använder uppgiften inom några sekunder.")
            else:
                note = request.POST.get("note", "")
                _transition(request, lambda v: workflow.send_back(v, note), version, "fact_send_back",
                            "Skickad tillbaka som utkast.", note=note[:500])
        elif action == "restore":
            old = _post_version(request, FactVersion, **identity)
            version = workflow.restore(user, old)
            _audit(request, "fact_restore", version, kind=kind, key=key, restored_from=old.pk)
            messages.success(request, f"Version {old.pk} kopierad till ett nytt utkast ({_version_label(version)}).")
        elif action == "verified_today":
            publish_now = permissions.may_publish(user, code, kind)
            try:
                version = workflow.verified_today(user, code, kind, key, publish_now=publish_now)
            except workflow.WorkflowError as error:
                messages.error(request, str(error))
            else:
                _audit(request, "fact_verify", version, kind=kind, key=key, published=publish_now)
                messages.success(request, "Markerad som kontrollerad i dag" + (
                    " och publicerad." if publish_now else "; en granskare publicerar den."))
        else:
            messages.error(request, "Okänd åtgärd.")
        return redirect(request.path)
    return render(request, "editor/fact_edit.html", _fact_context(request, code, kind, key))


@staff_required(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def fact_new(request, code: str):
    """A new fact for a municipality (its first version is a draft)."""
    permissions.check_place(request.user, code)
    municipality = get_object_or_404(Municipality, code=code)
    kinds = [k for k in FactKind.values if permissions.may_edit(request.user, code, k)]
    if not kinds:
        raise PermissionDenied("no area")
    form = NewFactForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
        permissions.check_edit(request.user, code, kind)
        if workflow.fact_versions(code, kind, key).exists():
            form.add_error("key", "Det finns redan ett faktum med den nyckeln; redigera det i stället.")
        else:
            version = workflow.save_fact(request.user, code, kind, key, form.values())
            _audit(request, "fact_save", version, kind=kind, key=key, new=True)
            messages.success(request, "Faktumet är sparat som utkast.")
            return redirect("editor-fact", code=code, kind=kind, key=key)
    note_fields = [(form[f"notes_{lang}"], LANGUAGE_META[lang]) for lang in LANGUAGES]
    return render(request, "editor/fact_new.html", {"municipality": municipality, "form": form,
                                                    "note_fields": note_fields},
                  status=400 if request.method == "POST" else 200)


@staff_required(Role.EDITOR)
@require_http_methods(["GET"])
def fact_diff(request, code: str, kind: str, key: str):
    """Field by field, word level in texts, between two versions of one fact."""
    if kind not in FactKind.values:
        raise Http404("unknown kind")
    permissions.check_edit(request.user, code, kind)
    allowed = permissions.visible_versions(request.user, workflow.fact_versions(code, kind, key))
    if not allowed.exists():
        raise Http404("no such fact")
    old, new, problem = _pick_pair(request, allowed, SWEDISH)
    rows = []
    if old and new:
        for name, label in (("name", "Namn"), ("url", "Länk"), ("phone", "Telefon"), ("source_name", "Källa"),
                            ("source_url", "Källa (länk)"), ("verified_on", "Kontrollerad"),
                            ("is_example", "Exempeldata")):
            rows.append(_field_row(label, getattr(old, name), getattr(new, name), LANGUAGE_META[SWEDISH]))
        for lang in LANGUAGES:
            rows.append(_field_row(f"Anteckning, {LANGUAGE_META[lang]['label']}", (old.notes or {}).get(lang, ""),
                                   (new.notes or {}).get(lang, ""), LANGUAGE_META[lang]))
    return render(request, "editor/fact_diff.html", {
        "code": code, "kind": kind, "key": key, "kind_label": FACT_KIND_LABELS.get(kind, kind),
        "municipality": allowed.first().municipality, "old": old, "new": new, "problem": problem, "rows": rows})


def _field_row(label: str, old, new, meta) -> dict:
    old_text = "" if old in (None, "") else ("ja" if old is True else "nej" if old is False else str(old))
    new_text = "" if new in (None, "") else ("ja" if new is True else "nej" if new is False else str(new))
    return {"label": label, "meta": meta, "changed": old_text != new_text,
            "segments": diff.word_diff(old_text, new_text)}


# -- preview ------------------------------------------------------------------------------------

@staff_required(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def preview_page(request):
    """Type a question; see the bot's answer for one of one's municipalities, drafts included."""
    places = _places_of(request.user)
    form = PreviewForm(request.POST or None, municipalities=places,
                       initial={"municipality": request.GET.get("m") or (places[0].code if places else "")})
    result, unavailable = None, ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["municipality"]
        permissions.check_place(request.user, code)
        try:
            result = preview.preview(form.cleaned_data["question"], code, form.cleaned_data["language"] or None,
                                     include_national=is_admin(request.user))
        except preview.RasaUnavailable as error:
            unavailable = str(error)
    return render(request, "editor/preview.html", {
        "form": form, "result": result, "unavailable": unavailable,
        "meta": LANGUAGE_META.get(result.language) if result else None,
        "kind_labels": FACT_KIND_LABELS, "topic_labels": {k: topic_label(k) for k in topics()},
    })


# -- export and import (admins) -----------------------------------------------------------------

@staff_required(Role.ADMIN)
@require_http_methods(["GET"])
def export_download(request):
    """All published content as a zip of the seed-format YAML files."""
    data = yaml_io.export_zip()
    audit.record(request, "content_export", target_type="content", target_id="all", bytes=len(data))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="innehall-{timezone.localdate():%Y-%m-%d}.zip"'
    return response


@staff_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload an export (zip) or one YAML file; changed entries become new versions."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: List[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        as_drafts = form.cleaned_data["as_drafts"]
        try:
            if upload.size > yaml_io.MAX_UPLOAD_BYTES:
                raise yaml_io.ContentImportError("Filen är för stor.")
            documents = yaml_io.documents_from_upload(upload.name, upload.read())
            result = yaml_io.import_documents(documents, user=request.user, as_drafts=as_drafts)
        except yaml_io.ContentImportError as error:
            problems = str(error).splitlines()
        else:
            audit.record(request, "content_import", target_type="content", target_id=upload.name[:200],
                         answers=result.answers_added, facts=result.facts_added, unchanged=result.unchanged,
                         as_drafts=as_drafts)
            messages.success(request, f"Importerat: {result.answers_added} svarstexter och {result.facts_added} "
                                      f"fakta som nya {'utkast' if as_drafts else 'publicerade versioner'}; "
                                      f"{result.unchanged} oförändrade.")
            return redirect("editor-import")
    return render(request, "editor/import.html", {"form": form, "problems": problems},
                  status=400 if problems else 200)
