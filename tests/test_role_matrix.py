"""Role × view matrix over EVERY staff page, found by walking ``webapp.urls``.

For each URL pattern under /staff/ (except sign-in and sign-out):

* the view carries ``required_role`` (set by ``webapp.staff.access.staff_required``): a staff
  view without the decorator fails here;
* anonymous → 302 to /staff/login/; signed in without a staff profile → 403;
* every role below the required one → 403; the required role and above → 200 on GET.
  Views in ``POST_ONLY`` answer a permitted GET with 405; their refusals are checked with
  POST (a GET may be refused with 405 before the access check: it runs nothing);
* a URL with arguments needs a factory in ``SAMPLE_ARGUMENTS`` that creates a suitable object
  for the municipality the test users work for; a missing entry fails with the name to add.

Views that are added later are covered automatically; only their sample arguments (and, for
POST-only views, an entry in ``POST_ONLY``) must be added here.
"""

from __future__ import annotations

import uuid
from typing import Callable, Dict, List, Tuple

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from webapp.staff.models import ROLE_RANK, Role

PUBLIC_STAFF_URLS = {"staff-login", "staff-logout"}

# Views that only accept POST (a GET by a permitted user is 405, never 200).
POST_ONLY = {
    "handoff-claim", "handoff-reply", "handoff-close", "handoff-assign", "handoff-canned-delete",
    "review-task-close", "review-add-training-example", "review-open-content-task",
}


def _walk(patterns, prefix: str = "") -> List[Tuple[str, URLPattern]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def staff_patterns() -> List[Tuple[str, URLPattern]]:
    return [(route, pattern) for route, pattern in _walk(get_resolver("webapp.urls").url_patterns)
            if route.startswith("staff/") and pattern.name not in PUBLIC_STAFF_URLS]


def _required_role(callback):
    return getattr(callback, "required_role", None) or getattr(getattr(callback, "view_class", None),
                                                             "required_role", None)


# ------------------------------------------------------------ sample arguments per URL name


def _conversation(code: str) -> Dict[str, str]:
    from webapp.transcripts.rasa_events import FakeConversation
    from webapp.transcripts.sync import sync

    fake = FakeConversation(f"matrix-{uuid.uuid4().hex[:10]}", language="sv", municipality=code)
    fake.user("hur anmäler jag mig till sfi", intent="sfi_enrol", confidence=0.9).bot("Så här.", topic="sfi_enrol")
    sync()
    return {"sender_id": fake.sender_id}


def _ticket(code: str) -> Dict[str, int]:
    from webapp.handoff.models import HandoffTicket, Reason, Tier

    ticket = HandoffTicket.objects.create(sender_id=f"matrix-{uuid.uuid4().hex[:10]}", reason=Reason.values[0],
                                          language="sv", municipality_id=code, tier=Tier.MUNICIPALITY,
                                          channel="web", summary="Rollmatris.")
    return {"pk": ticket.pk}


def _content_task(code: str) -> Dict[str, int]:
    from webapp.transcripts.models import ContentTask

    return {"pk": ContentTask.objects.create(text=f"matris {uuid.uuid4().hex[:6]}", language="sv",
                                             municipality_id=code).pk}


def _fact(code: str) -> Dict[str, str]:
    from webapp.content.models import FactVersion

    fact = FactVersion.objects.filter(municipality_id=code).first()
    assert fact is not None, f"the role matrix needs a seeded fact in {code}"
    return {"code": code, "kind": fact.kind, "key": fact.key}


def _chart(code: str) -> Dict[str, str]:
    from webapp.transcripts.charts import CHARTS

    return {"name": next(iter(CHARTS))}


def _editor_account(code: str) -> Dict[str, int]:
    """An editor who works only in ``code``: an account a municipality admin there may edit."""
    from django.contrib.auth.models import User

    from webapp.staff.models import StaffProfile

    user = User.objects.create_user(f"matrix-account-{uuid.uuid4().hex[:8]}")
    StaffProfile.objects.create(user=user, role=Role.EDITOR, languages=["sv"]).municipalities.set([code])
    return {"pk": user.pk}


def _canned_reply(code: str) -> Dict[str, int]:
    from webapp.handoff.models import CannedReply

    return {"pk": CannedReply.objects.create(title=f"matris {uuid.uuid4().hex[:6]}", language="ar",
                                             text="نص للاختبار.", municipality_id=code).pk}


def _answer_in_review(code: str) -> Dict[str, int]:
    """A local Swedish text in review: what a publisher of ``code`` is asked to review."""
    from webapp.content.models import AnswerVersion, Status

    return {"pk": AnswerVersion.objects.create(topic="sfi_cost", municipality_id=code, language="sv",
                                               status=Status.REVIEW, origin="matrix",
                                               text=f"Rollmatris {uuid.uuid4().hex[:6]}.").pk}


SAMPLE_ARGUMENTS: Dict[str, Callable[[str], dict]] = {
    "editor-review": _answer_in_review,
    "handoff-assign": _ticket,
    "handoff-canned-edit": _canned_reply,
    "handoff-canned-delete": _canned_reply,
    "staff-account": _editor_account,
    "editor-answer": lambda code: {"place": code, "topic": "sfi_enrol"},
    "editor-answer-diff": lambda code: {"place": code, "topic": "sfi_enrol"},
    "editor-fact-new": lambda code: {"code": code},
    "editor-fact": _fact,
    "editor-fact-diff": _fact,
    "review-conversation": _conversation,
    "review-chart": _chart,
    "review-task-close": _content_task,
    "handoff-ticket": _ticket,
    "handoff-ticket-feed": _ticket,
    "handoff-claim": _ticket,
    "handoff-reply": _ticket,
    "handoff-close": _ticket,
    "facts-disagreements-municipality": lambda code: {"code": code},
    "privacy-export": _conversation,
    "privacy-erase": _conversation,
}


@pytest.fixture(scope="module")
def matrix_municipality(database) -> str:
    """A municipality with shipped facts, so that every kind of page has something to show."""
    from webapp.content.models import FactVersion

    code = FactVersion.objects.order_by("municipality_id").values_list("municipality_id", flat=True).first()
    assert code, "no seeded facts: load_content did not run"
    return code


def url_for(pattern: URLPattern, code: str) -> str:
    if not pattern.pattern.converters:
        return reverse(pattern.name)
    factory = SAMPLE_ARGUMENTS.get(pattern.name)
    assert factory is not None, (
        f"URL {pattern.name!r} takes arguments ({', '.join(pattern.pattern.converters)}) but "
        f"tests/test_role_matrix.py has no SAMPLE_ARGUMENTS entry for it: add a factory that creates a "
        f"suitable object for municipality {code}")
    return reverse(pattern.name, kwargs=factory(code))


@pytest.fixture(scope="module")
def clients(matrix_municipality) -> Dict[str, Client]:
    """A signed-in client per kind of user; created once (no password hashing: force_login)."""
    from django.contrib.auth.models import User

    from webapp.staff.models import StaffProfile

    def signed_in(role=None, superuser=False) -> Client:
        user = User(username=f"matrix-{role or 'none'}-{uuid.uuid4().hex[:8]}", is_superuser=superuser,
                    is_staff=superuser)
        user.set_unusable_password()
        user.save()
        if role:
            profile = StaffProfile.objects.create(user=user, role=role, languages=["sv", "ar", "fa_AF"])
            profile.municipalities.set([matrix_municipality])
        client = Client()
        client.force_login(user)
        return client

    return {"none": signed_in(), **{role: signed_in(role) for role in ROLE_RANK}, "superuser": signed_in(superuser=True)}


PATTERNS = staff_patterns()
IDS = [pattern.name or route for route, pattern in PATTERNS]


def test_the_matrix_sees_every_area():
    names = {pattern.name for _route, pattern in PATTERNS}
    assert {"staff-home", "privacy-home", "privacy-export", "privacy-erase", "privacy-audit"} <= names
    assert {"staff-accounts", "staff-account-new", "staff-account", "handoff-assign", "handoff-canned-list",
            "handoff-canned-new", "handoff-canned-edit", "handoff-canned-delete", "editor-review-queue",
            "editor-review"} <= names
    assert all(pattern.name for _route, pattern in PATTERNS), "every staff URL needs a name"


@pytest.mark.parametrize("route, pattern", PATTERNS, ids=IDS)
def test_role_matrix(route, pattern, clients, matrix_municipality):
    required = _required_role(pattern.callback)
    assert required in ROLE_RANK, (
        f"/{route} ({pattern.name}) has no required_role: decorate the view with "
        f"@staff_required(Role....) from webapp.staff.access")
    url = url_for(pattern, matrix_municipality)
    post_only = pattern.name in POST_ONLY

    def refused(client: Client, expected: int, who: str) -> None:
        """GET refused with ``expected``; a POST-only view may refuse GET with 405 first, but
        its POST must be refused with ``expected`` too (nothing runs before the access check)."""
        response = client.get(url)
        allowed = {expected, 405} if post_only else {expected}
        assert response.status_code in allowed, f"GET {url} as {who}: {response.status_code}"
        if expected == 302 and response.status_code == 302:
            assert response["Location"].startswith("/staff/login/?next="), response["Location"]
        if post_only:
            response = client.post(url)
            assert response.status_code == expected, f"POST {url} as {who}: {response.status_code}"
            if expected == 302:
                assert response["Location"].startswith("/staff/login/?next="), response["Location"]

    refused(Client(), 302, "anonymous")
    refused(clients["none"], 403, "a user without staff profile")
    for role in ROLE_RANK:
        if ROLE_RANK[role] < ROLE_RANK[required]:
            refused(clients[role], 403, role)
            continue
        response = clients[role].get(url)
        if post_only:
            assert response.status_code == 405, f"GET {url} as {role}: {response.status_code}, expected 405"
        else:
            assert response.status_code != 405, (
                f"GET {url} as {role} is 405: if {pattern.name!r} is POST-only, add it to POST_ONLY")
            assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
    response = clients["superuser"].get(url)
    assert response.status_code == (405 if post_only else 200), f"GET {url} as superuser: {response.status_code}"
