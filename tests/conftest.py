"""Shared fixtures. Every test session gets its own database and ``var/`` directory, so tests
never touch a developer's data, and the running-stack tests use ports of their own."""

import os
import socket
import tempfile
from pathlib import Path

import pytest

# A developer's real bot settings must not reach the test stack.
for _name in [n for n in os.environ if n.startswith("TELEGRAM_")]:
    del os.environ[_name]

# Before anything imports Django or bot.settings: a private database and var/ for this run.
_RUN_DIR = Path(tempfile.mkdtemp(prefix="newcomer-tests-"))
os.environ["NEWCOMER_VAR_DIR"] = str(_RUN_DIR)
os.environ["DATABASE_URL"] = f"sqlite:///{_RUN_DIR / 'test.sqlite3'}"
os.environ["DJANGO_SETTINGS_MODULE"] = "webapp.settings"
os.environ["CONTENT_REFRESH_SECONDS"] = "0.5"
os.environ.setdefault("FACTS_OFFLINE", "1")

# Test modules may import Django models at the top; the tables exist once ``database`` ran.
import django  # noqa: E402

django.setup()
# Django's test client: "testserver" as host, in-memory e-mail, response.context for tests.
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The browser tests' "municipality web site" (another origin than the product's) listens here,
# so that every test stack lets its pages call Rasa (CORS; docs/security.md).
OTHER_SITE_PORT = _free_port()
os.environ["RASA_CORS_ORIGINS"] = f"http://127.0.0.1:{OTHER_SITE_PORT}"


@pytest.fixture(scope="session")
def database():
    """The session's database, migrated and seeded from data/content/ like ``make run`` does."""
    from bot.stack import prepare_database

    prepare_database()
    import django

    django.setup()
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def stack(database):
    """The real action server, Rasa server (trained model) and web app, on free ports."""
    from bot.stack import Stack, model_path

    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first (make test does)")
    running = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(),
                    log_dir=_RUN_DIR / "logs",
                    # So a test can flood "from" an address of its own (X-Forwarded-For) without
                    # slowing the other tests' anonymous callers on 127.0.0.1.
                    extra_env={"TRUSTED_PROXIES": "127.0.0.1"})
    running.start(model, timeout=240)
    yield running
    running.stop()


@pytest.fixture
def chat(stack):
    """Send one message through the REST channel; returns the list of bot messages."""
    from tests.helpers import RestClient

    return RestClient(f"http://127.0.0.1:{stack.rasa_port}")


@pytest.fixture
def make_staff(database):
    """Create a signed-in-able staff user: ``make_staff("editor", ["0182"], ["ar"])``.

    Returns ``(user, client)``: a Django test client already logged in as that user. The
    database lives for the whole session, so every user gets a unique name.
    """
    import uuid

    from django.contrib.auth.models import User
    from django.test import Client

    from webapp.content.models import Municipality
    from webapp.staff.models import StaffProfile

    def create(role="editor", municipalities=(), languages=("sv",), superuser=False, **profile_fields):
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        if superuser:
            user = User.objects.create_superuser(username, f"{username}@example.org", "test-password-123")
        else:
            user = User.objects.create_user(username, f"{username}@example.org", "test-password-123")
        if role is not None and not superuser:
            profile = StaffProfile.objects.create(user=user, role=role, languages=list(languages), **profile_fields)
            profile.municipalities.set(Municipality.objects.filter(code__in=municipalities))
        client = Client()
        client.force_login(user)
        return user, client

    return create
