""""Obesvarade frågor": what the bot did not understand, grouped, with one-click ways to make it
a training example for the next training or a content task for a municipality's editors."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from webapp.content.models import Language, Municipality
from webapp.staff import audit
from webapp.staff.access import staff_required
from webapp.staff.models import Role
from webapp.transcripts.forms import ContentTaskForm, TrainingExampleForm, UnansweredFilterForm
from webapp.transcripts.models import TrainingExample, question_key
from webapp.transcripts.sync import sync
from webapp.transcripts.labels import intent_label
from webapp.transcripts.unanswered import domain_intents, unanswered_groups

PAGE_SIZE = 30


@staff_required(Role.ADMIN)
def unanswered(request):
    sync()
    form = UnansweredFilterForm(request.GET or None)
    date_from, date_to = form.range()
    options = form.cleaned_data if form.is_bound and form.is_valid() else {}
    groups = unanswered_groups(date_from, date_to, language=options.get("language") or "",
                               include_handled=bool(options.get("include_handled")))
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    municipalities = list(Municipality.objects.only("code", "name"))
    names = {m.code: m.name for m in municipalities}
    for group in page.object_list:
        group.municipality_name = names.get(group.municipality, "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "transcripts/unanswered.html", {
        "form": form, "page": page, "date_from": date_from, "date_to": date_to,
        "intents": domain_intents(), "languages": Language.values, "municipalities": municipalities,
        "query": query.urlencode(), "full_query": request.GET.urlencode(),
    })


def _back(request):
    """Back to the list as it was (same filters and page); the query is re-encoded, so
    nothing but a query string can come through."""
    query = QueryDict(request.POST.get("back", ""))
    url = reverse("review-unanswered")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".strip(": ")
                    for name, errors in form.errors.items())


@staff_required(Role.ADMIN)
@require_POST
def add_training_example(request):
    form = TrainingExampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Träningsexemplet sparades inte. {_form_errors(form)}")
        return _back(request)
    example = form.save(commit=False)
    # Same question again (another spelling): the newest choice of intent wins.
    existing = TrainingExample.objects.filter(language=example.language, key=question_key(example.text)).first()
    if existing is None:
        example.created_by = request.user
        example.save()
    else:
        existing.intent, existing.text, existing.created_by = example.intent, example.text, request.user
        existing.save()
        example = existing
    audit.record(request, "training_example_add", example, language=example.language, intent=example.intent)
    messages.success(request, f"Sparat som träningsexempel för ”{intent_label(example.intent)}”. Det kommer med i nästa "
                              "träning när någon har kört export_training_examples.")
    return _back(request)


@staff_required(Role.ADMIN)
@require_POST
def open_content_task(request):
    form = ContentTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Uppgiften skapades inte. {_form_errors(form)}")
        return _back(request)
    task = form.save(commit=False)
    task.created_by = request.user
    task.save()
    audit.record(request, "content_task_open", task, municipality=task.municipality_id)
    where = task.municipality.name if task.municipality else "nationellt innehåll"
    messages.success(request, f"Innehållsuppgift öppnad ({where}).")
    return _back(request)
