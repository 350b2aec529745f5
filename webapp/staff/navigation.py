"""The staff pages' menu, in one place: (URL name, label, lowest role that sees it).

Each area's app names its start page here; an entry whose URL does not exist is left out.
"""

from django.urls import NoReverseMatch, reverse

from webapp.staff.access import has_role
from webapp.staff.models import Role

MENU = [
    ("staff-home", "Start", Role.EDITOR),
    ("editor-list", "Innehåll", Role.EDITOR),
    ("editor-review-queue", "Granska", Role.PUBLISHER),
    ("handoff-inbox", "Inkorg", Role.EDITOR),
    ("review-tasks", "Innehållsuppgifter", Role.EDITOR),
    ("facts-disagreements", "Fakta mot registren", Role.EDITOR),
    ("staff-content-reviews", "Källor och granskning", Role.EDITOR),
    ("review-list", "Samtal", Role.ADMIN),
    ("review-unanswered", "Obesvarade frågor", Role.ADMIN),
    ("review-dashboard", "Översikt", Role.ADMIN),
    ("staff-accounts", "Konton", Role.MUNICIPALITY_ADMIN),
    ("privacy-home", "Dataskydd", Role.ADMIN),
    ("admin:index", "Användare och inställningar", Role.ADMIN),
]


def staff_menu(request):
    """Context processor: the menu entries the signed-in person may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_menu": []}
    entries = []
    for url_name, label, role in MENU:
        if not has_role(user, role):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        entries.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/staff/"
                        or request.path == url})
    return {"staff_menu": entries}
