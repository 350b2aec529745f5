"""Content tasks: questions newcomers asked that need an answer or a fact. Editors see and close
the tasks of their own municipalities; tasks about national content are the admins'."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from webapp.staff import audit
from webapp.staff.access import check_municipality, municipality_codes, staff_required
from webapp.staff.models import Role
from webapp.transcripts.models import ContentTask, TaskStatus

STATUS_FILTERS = {"open": "Öppna", "done": "Klara", "all": "Alla"}


def tasks_for(user):
    """The tasks ``user`` may see: every task for admins, their municipalities' for others."""
    tasks = ContentTask.objects.select_related("municipality", "created_by", "closed_by")
    codes = municipality_codes(user)
    return tasks if codes is None else tasks.filter(municipality__in=codes)


@staff_required(Role.EDITOR)
def task_list(request):
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    tasks = tasks_for(request.user)
    if status != "all":
        tasks = tasks.filter(status=status)
    return render(request, "transcripts/tasks.html", {
        "tasks": tasks[:500], "status": status, "status_filters": STATUS_FILTERS, "TaskStatus": TaskStatus,
    })


@staff_required(Role.EDITOR)
@require_POST
def close_task(request, pk: int):
    task = get_object_or_404(ContentTask, pk=pk)
    check_municipality(request.user, task.municipality_id)
    if task.status != TaskStatus.DONE:
        task.status, task.closed_by, task.closed_at = TaskStatus.DONE, request.user, timezone.now()
        task.save(update_fields=["status", "closed_by", "closed_at"])
        audit.record(request, "content_task_close", task, municipality=task.municipality_id)
        messages.success(request, "Uppgiften är markerad som klar.")
    return redirect("review-tasks")
