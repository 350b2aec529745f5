"""Browser tests of the web widget (Playwright driving Debian's Chromium)."""
