"""Debian's Chromium, launched by Playwright the one way this project does it.

Playwright's own browser download needs the internet, so the tests use the system's
``/usr/bin/chromium`` (``scripts/ensure-chromium.sh`` installs it); ``CHROMIUM_PATH`` may
point elsewhere. The flags keep it from calling home and let it run as root in a container.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
MISSING = f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium fonts-noto-core)"


@contextlib.contextmanager
def launched() -> Iterator[Browser]:
    """A running Chromium, closed again on exit."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
