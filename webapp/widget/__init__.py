"""The embeddable web widget: static files, UI strings, demo page."""
