"""Security of the bot side: Rasa's HTTP API needs the token, no process of the stack listens
beyond loopback (the action server above all: it runs any action for whoever can post to it),
and secrets never reach a log.

The staff app's headers and cookies are in tests/test_security.py.
"""

import asyncio
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from bot.settings import ROOT, rasa_token
from bot.stack import process_env
from tests.fake_telegram import FakeBotApi, text_update

# --- the HTTP API needs the token -----------------------------------------------------------

PROTECTED = [
    ("GET", "/conversations/{sender}/tracker", None),
    ("GET", "/conversations/{sender}/story", None),
    ("POST", "/conversations/{sender}/messages", {"text": "hej", "sender": "user"}),
    ("POST", "/conversations/{sender}/tracker/events", {"event": "slot", "name": "language", "value": "ar"}),
    ("POST", "/model/parse", {"text": "hej"}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
]


@pytest.mark.parametrize("method, path, body", PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_rasa_http_api_refuses_requests_without_the_right_token(stack, chat, method, path, body):
    sender = chat.new_sender()
    chat.send(sender, "hej")
    url = f"http://127.0.0.1:{stack.rasa_port}{path.format(sender=sender)}"
    for params in ({}, {"token": "wrong-" + uuid.uuid4().hex}, {"token": ""}):
        response = requests.request(method, url, params=params, json=body, timeout=10)
        assert response.status_code in (401, 403), (params, response.status_code, response.text[:200])
        assert sender not in response.text or method == "POST"  # nothing of the conversation leaks
    with_token = requests.request(method, url, params={"token": rasa_token()}, json=body, timeout=10)
    assert with_token.status_code not in (401, 403), (with_token.status_code, with_token.text[:200])


def test_with_the_token_the_tracker_is_readable_and_the_rest_channel_needs_none(stack, chat):
    sender = chat.new_sender()
    chat.send(sender, "hej")  # the public channel works without a token (CONTRACT.md)
    response = requests.get(f"http://127.0.0.1:{stack.rasa_port}/conversations/{sender}/tracker",
                            params={"token": rasa_token()}, timeout=10)
    assert response.status_code == 200 and response.json()["sender_id"] == sender


# --- loopback only --------------------------------------------------------------------------

def _outside_addresses():
    """This machine's IPv4 addresses other than loopback."""
    output = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    found = {a for a in output if "." in a and not a.startswith("127.")}
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
                  if not info[4][0].startswith("127.")}
    except OSError:
        pass
    return sorted(found)


def _listening_addresses(port: int):
    """Local addresses with a listening socket on ``port`` (/proc/net/tcp and tcp6)."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                addresses.append(address)
    return addresses


@pytest.mark.parametrize("process", ["actions", "rasa", "web"])
def test_stack_processes_listen_on_loopback_only(stack, process):
    port = {"actions": stack.actions_port, "rasa": stack.rasa_port, "web": stack.web_port}[process]
    listening = _listening_addresses(port)
    assert listening, f"nothing listens on {port}"
    # 0100007F is 127.0.0.1 in /proc's byte order; 0.0.0.0 would be 00000000.
    assert set(listening) == {"0100007F"}, f"{process} listens on {listening}"
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # reachable from this machine, for Rasa
    for address in _outside_addresses():
        with pytest.raises(OSError):  # refused: the port is not open on that interface
            socket.create_connection((address, port), timeout=5).close()


def test_the_action_server_is_told_to_bind_loopback():
    # rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise (rasa_sdk/endpoint.py).
    assert process_env()["SANIC_HOST"] == "127.0.0.1"


# --- secrets never reach a log --------------------------------------------------------------

# The fake Bot API stands in for Telegram's servers: its access log lines (URLs with the
# token, as on Telegram's side) are in this test's output but are not a log of the product.
_FAKE_API_ACCESS_LINE = re.compile(r'^.*"(GET|POST) /bot[^ ]+ HTTP/1\.1".*$', re.MULTILINE)


async def test_tokens_never_appear_in_any_log(stack, chat, capfd, caplog):
    """Run the Telegram worker with a known token against a fake Bot API, use the whole stack
    (channel, HTTP API with and without the token, errors), then read every log."""
    telegram_token = f"7000000{uuid.uuid4().int % 1000:03d}:SECRET-{uuid.uuid4().hex}"
    api = FakeBotApi(token=telegram_token)
    await api.start()
    log_path = stack.log_dir / f"telegram-secrets-{uuid.uuid4().hex[:6]}.log"
    env = process_env({"TELEGRAM_TOKEN": telegram_token, "TELEGRAM_BASE_URL": api.base_url,
                       "RASA_URL": f"http://127.0.0.1:{stack.rasa_port}"})
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "bot.telegram"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        chat_id = 500000000 + uuid.uuid4().int % 10 ** 8
        api.push_update(text_update(chat_id, "hej, vad kostar sfi?", "sv"))
        await api.wait_for_messages(chat_id, 1, timeout=90)
        api.fail_next_sends(1, 500)  # an error path of the worker, retried
        api.push_update(text_update(chat_id, "tack", "sv"))
        await api.wait_for_messages(chat_id, 2, timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        await api.stop()

    # The rest of the stack: chats, the HTTP API with the token, a wrong one, bad requests.
    sender = chat.new_sender()
    await asyncio.to_thread(chat.send, sender, "hej")
    base = f"http://127.0.0.1:{stack.rasa_port}"
    for token in (rasa_token(), "wrong"):
        await asyncio.to_thread(requests.get, f"{base}/conversations/{sender}/tracker", params={"token": token})
    await asyncio.to_thread(requests.post, f"{base}/webhooks/rest/webhook", data=b"{broken")
    await asyncio.to_thread(requests.get, f"http://127.0.0.1:{stack.web_port}/widget/messages?sender=x")

    secrets = {"RASA_TOKEN": rasa_token(), "TELEGRAM_TOKEN": telegram_token,
               "the secret part of TELEGRAM_TOKEN": telegram_token.split(":", 1)[1]}
    out, err = capfd.readouterr()
    own_output = out + err + "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    texts = {"this test's output": _FAKE_API_ACCESS_LINE.sub("", own_output)}
    logs = sorted(stack.log_dir.glob("*.log"))
    assert log_path in logs and len(logs) >= 4, logs
    for path in logs:
        texts[path.name] = path.read_text(errors="replace")
    assert "Telegram worker running" in texts[log_path.name]  # the worker did log, and ran
    for name, text in texts.items():
        for what, secret in secrets.items():
            assert secret not in text, f"{what} appears in {name}"


def test_a_database_password_is_masked_in_what_rasa_and_django_log(tmp_path):
    """With a PostgreSQL URL (here to a closed port, so connecting fails), neither Rasa's
    tracker store at DEBUG nor Django's failing migration prints the password."""
    password = f"Pw-{uuid.uuid4().hex}"
    env = process_env({"DATABASE_URL": f"postgresql://newcomer:{password}@127.0.0.1:1/newcomer",
                       "NEWCOMER_VAR_DIR": str(tmp_path)})
    tracker_store = subprocess.run(
        [sys.executable, "-c", "import logging; logging.basicConfig(level=logging.DEBUG)\n"
                               "from bot.tracker_store import DatabaseUrlTrackerStore\n"
                               "try:\n    DatabaseUrlTrackerStore()\nexcept Exception as error:\n    print(error)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    django = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert django.returncode != 0  # it really tried, and failed
    assert "Attempting to connect" in tracker_store.stderr  # it really logged about the URL
    for output in (tracker_store.stdout, tracker_store.stderr, django.stdout, django.stderr):
        assert password not in output
    assert os.environ.get("DATABASE_URL", "").find(password) == -1


def test_the_product_sends_the_rasa_token_in_a_header_never_in_a_url():
    """Query strings end up in access logs (nginx, proxies): every internal caller of Rasa sends
    ``Authorization: Bearer``. Only the benchmark keeps ``?token=``, because stock Rasa, which it
    measures against, reads nothing else."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    in_url = re.compile(r"""params=\{[^}]*["']token["']|[?&]token=\{""")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("bot", "webapp", "actions")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name not in {"bench.py", "stock.py"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if in_url.search(line)
    ]
    assert offenders == []
