"""/staff/facts/: the review of staff facts against Skolverket's registers."""

from django.urls import path, register_converter

from webapp.facts import views


class MunicipalityCode:
    """A municipality's four-digit SCB code; anything else is not a page (404)."""

    regex = r"\d{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MunicipalityCode, "facts_municipality")

urlpatterns = [
    path("", views.overview, name="facts-disagreements"),
    path("<facts_municipality:code>/", views.municipality_detail, name="facts-disagreements-municipality"),
]
