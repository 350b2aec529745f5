"""Pages where staff keep their canned replies (/staff/inbox/replies/). Changes are audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from webapp.handoff.canned import CannedReplyForm, may_keep, visible_replies
from webapp.handoff.inbox_query import LANGUAGE_CHOICES
from webapp.handoff.models import CannedReply
from webapp.staff import audit
from webapp.staff.access import staff_required
from webapp.staff.models import Role

LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


@require_safe
@staff_required(Role.EDITOR)
def canned_list(request):
    language = request.GET.get("language") or ""
    replies = visible_replies(request.user)
    if language in LANGUAGE_NAMES:
        replies = replies.filter(language=language)
    rows = [{"reply": reply, "language_label": LANGUAGE_NAMES.get(reply.language, reply.language),
             "lang": reply.language.replace("_", "-"),
             "dir": "rtl" if reply.language in ("ar", "fa_AF") else "ltr",
             "may_keep": may_keep(request.user, reply)} for reply in replies]
    return render(request, "handoff/canned_list.html", {"rows": rows, "language": language,
                                                        "languages": LANGUAGE_CHOICES})


def _edit(request, reply):
    form = CannedReplyForm(request.POST or None, instance=reply, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if not may_keep(request.user, saved):  # a crafted municipality value gains nothing
            raise Http404("not yours")
        created = saved.pk is None
        saved.updated_by = request.user
        saved.save()
        audit.record(request, "canned_reply_create" if created else "canned_reply_update", saved,
                     municipality=saved.municipality_id or "", language=saved.language, title=saved.title)
        messages.success(request, f"Det färdiga svaret ”{saved.title}” är sparat.")
        return redirect("handoff-canned-list")
    return render(request, "handoff/canned_form.html", {"form": form, "reply": reply},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@staff_required(Role.EDITOR)
def canned_new(request):
    return _edit(request, None)


def _keepable(request, pk: int) -> CannedReply:
    reply = visible_replies(request.user).filter(pk=pk).first()
    if reply is None or not may_keep(request.user, reply):
        raise Http404("no such reply")
    return reply


@require_http_methods(["GET", "POST"])
@staff_required(Role.EDITOR)
def canned_edit(request, pk: int):
    return _edit(request, _keepable(request, pk))


@require_POST
@staff_required(Role.EDITOR)
def canned_delete(request, pk: int):
    reply = _keepable(request, pk)
    audit.record(request, "canned_reply_delete", reply, municipality=reply.municipality_id or "",
                 language=reply.language, title=reply.title)
    reply.delete()
    messages.success(request, f"Det färdiga svaret ”{reply.title}” är borttaget.")
    return redirect("handoff-canned-list")
