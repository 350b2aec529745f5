"""/staff/content/: the content editor. A place is a municipality's SCB code or ``national``."""

from django.urls import path, register_converter

from webapp.editor import review_views, views


class PlaceConverter:
    """A municipality code (four digits) or ``national`` for the national default texts."""

    regex = r"national|\d{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MunicipalityCodeConverter(PlaceConverter):
    regex = r"\d{4}"


register_converter(PlaceConverter, "editor_place")
register_converter(MunicipalityCodeConverter, "editor_code")

urlpatterns = [
    path("", views.content_list, name="editor-list"),
    path("preview/", views.preview_page, name="editor-preview"),
    path("export/", views.export_download, name="editor-export"),
    path("import/", views.import_upload, name="editor-import"),
    path("review/", review_views.review_queue, name="editor-review-queue"),
    path("review/<int:pk>/", review_views.review_version, name="editor-review"),
    path("<editor_place:place>/answers/<slug:topic>/", views.answer_edit, name="editor-answer"),
    path("<editor_place:place>/answers/<slug:topic>/diff/", views.answer_diff, name="editor-answer-diff"),
    path("<editor_code:code>/facts/new/", views.fact_new, name="editor-fact-new"),
    path("<editor_code:code>/facts/<slug:kind>/<slug:key>/", views.fact_edit, name="editor-fact"),
    path("<editor_code:code>/facts/<slug:kind>/<slug:key>/diff/", views.fact_diff, name="editor-fact-diff"),
]
