"""Template helpers for the content editor."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:key }}``: a dict lookup with a variable key ("" when missing)."""
    return mapping.get(key, key) if mapping else key


STATUS_LABELS = {"draft": "utkast", "review": "granskas", "published": "publicerad"}


@register.filter
def status_sv(status):
    """A version's status in Swedish, for the staff pages."""
    return STATUS_LABELS.get(status, status)
