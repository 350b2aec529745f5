"""Version ids in the editor's URLs and forms are checked against what the person may read
(issue 12, item 8): an editor of one municipality must not read an unpublished national draft,
or another municipality's text, by putting its id into the diff view's ``?a=…&b=…``."""

import pytest

from webapp.content.models import AnswerVersion, Municipality, Status

TOPIC = "sfi_cost"
HOME = "0182"

# version kind → roles that may read it through /staff/content/0182/answers/sfi_cost/diff/.
# Everyone else gets 404, as for an id that does not exist: the answer must not tell which
# ids are drafts. (Another municipality's text is never part of this page, not even for admins.)
MATRIX = {
    "own_draft": {"editor", "publisher", "superuser"},
    "national_published": {"editor", "publisher", "superuser"},
    "national_draft": {"superuser"},
    "national_in_review": {"superuser"},
    "other_municipality_draft": set(),
}
ROLES = ["editor", "publisher", "superuser"]


@pytest.fixture(scope="module")
def versions(database):
    other = Municipality.objects.exclude(code=HOME).order_by("code").first()
    national = AnswerVersion.objects.filter(topic=TOPIC, municipality__isnull=True, language="sv",
                                            status=Status.PUBLISHED).first()
    assert national is not None, "the seeded content has a published national sfi_cost"

    def draft(code, status=Status.DRAFT):
        return AnswerVersion.objects.create(topic=TOPIC, municipality_id=code, language="sv", status=status,
                                            text=f"SECRET DRAFT TEXT {status} {code or 'national'}")

    return {
        "own_draft": draft(HOME),
        "national_published": national,
        "national_draft": draft(None),
        "national_in_review": draft(None, Status.REVIEW),
        "other_municipality_draft": draft(other.code),
    }


@pytest.mark.parametrize("kind", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_diff_shows_only_versions_the_person_may_read(versions, make_staff, role, kind):
    if role == "superuser":
        _user, client = make_staff(superuser=True)
    else:
        _user, client = make_staff(role, [HOME], ["sv"])
    own = versions["own_draft"] if kind != "own_draft" else versions["national_published"]
    target = versions[kind]
    for a, b in ((own.pk, target.pk), (target.pk, own.pk)):
        response = client.get(f"/staff/content/{HOME}/answers/{TOPIC}/diff/?a={a}&b={b}")
        if role in MATRIX[kind]:
            assert response.status_code == 200, (role, kind)
            assert target.text.split()[0] in response.content.decode()
        else:
            assert response.status_code == 404, (role, kind)
            assert "SECRET DRAFT TEXT" not in response.content.decode()


def test_a_national_draft_id_posted_as_the_base_of_a_save_is_not_used(versions, make_staff):
    """The edit form's hidden ``base_sv`` / ``source_sv`` ids go through the same check."""
    from django.test import RequestFactory

    from webapp.editor.views import _posted_version

    user, _client = make_staff("editor", [HOME], ["sv"])
    request = RequestFactory().post("/", {"base_sv": str(versions["national_draft"].pk),
                                          "source_sv": str(versions["national_published"].pk)})
    request.user = user
    assert _posted_version(request, "base_sv", TOPIC, "sv", HOME) is None
    assert _posted_version(request, "source_sv", TOPIC, "sv", HOME) == versions["national_published"]
