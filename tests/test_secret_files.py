"""Secrets of the product (issue 12, item 6): generated strong and owner-only into ``var/``, the
Django secret key its own (not derived from the Rasa token), ``var/`` and the SQLite database
owner-only even when they existed with looser modes, no token on any command line of the
running stack, and the Rasa API taking the token from a header (so the product's own calls keep
it out of URLs) and refusing to swap models over HTTP."""

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import requests

from bot.settings import ROOT, rasa_token
from bot.stack import process_env

PROBE = ("import json, django; django.setup()\n"
         "from django.conf import settings\n"
         "from bot import settings as env\n"
         "print(json.dumps({'key': settings.SECRET_KEY, 'token': env.rasa_token()}))\n")


def _fresh_process(var_dir: Path, **extra) -> dict:
    env = process_env({"NEWCOMER_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
                       **extra})
    for name in ("DJANGO_SECRET_KEY", "RASA_TOKEN"):
        if name not in extra:
            env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generated_secrets_are_strong_private_and_independent(tmp_path):
    var_dir = tmp_path / "var"
    first = _fresh_process(var_dir)
    key, token = first["key"], first["token"]
    assert _mode(var_dir) == 0o700
    assert _mode(var_dir / "django_secret_key") == 0o600 and _mode(var_dir / "rasa_token") == 0o600
    assert len(key) >= 50 and len(token) >= 40  # 48 and 32 random bytes, URL-safe base64
    # Not derived from the token: not containing it, nor any usual digest of it.
    assert token not in key and key != token
    for digest in (hashlib.sha256, hashlib.sha512, hashlib.md5, hashlib.sha1):
        assert digest(token.encode()).hexdigest() not in key
    # Kept: the next process (another worker, a restart) signs with the same key.
    assert _fresh_process(var_dir) == first
    # The environment still wins, and the key never falls back to the token.
    assert _fresh_process(var_dir, DJANGO_SECRET_KEY="k" * 60)["key"] == "k" * 60
    assert _fresh_process(var_dir, RASA_TOKEN="operator-token-" + "x" * 30)["key"] == key


def test_var_and_the_database_are_made_owner_only_even_if_they_were_not(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    var_dir.chmod(0o755)
    database = var_dir / "db.sqlite3"
    env = process_env({"NEWCOMER_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{database}"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    for path in [database, *var_dir.glob("db.sqlite3-*")]:
        path.chmod(0o644)
    (var_dir / "rasa_token").write_text("x" * 43)
    (var_dir / "rasa_token").chmod(0o644)
    env.pop("RASA_TOKEN", None)
    subprocess.run([sys.executable, "-c", "from bot import settings as s\n"
                    "s.rasa_token(); s.database(); s.secure_database_files()"], cwd=ROOT, env=env, check=True)
    assert _mode(var_dir) == 0o700
    assert _mode(var_dir / "rasa_token") == 0o600
    for path in [database, *var_dir.glob("db.sqlite3-*")]:
        assert _mode(path) == 0o600, path


def _cmdlines_of_tree(root_pid: int):
    """(pid, command line) of ``root_pid`` and all its descendants, from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        try:
            found.append((pid, Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except OSError:
            continue
        todo.extend(children.get(pid, []))
    return found


def test_no_process_of_the_running_stack_shows_the_token(stack):
    token = rasa_token()
    processes = [entry for process in stack.processes.values() for entry in _cmdlines_of_tree(process.pid)]
    assert any("bot.rasa_server" in line for _pid, line in processes), processes
    for pid, line in processes:
        assert token not in line, f"process {pid} shows the token: {line[:120]}"
        assert "--auth-token" not in line
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert token not in ps


def test_the_http_api_takes_the_token_from_a_bearer_header(stack):
    url = f"http://127.0.0.1:{stack.rasa_port}/status"
    assert requests.get(url, headers={"Authorization": f"Bearer {rasa_token()}"}, timeout=10).status_code == 200
    assert requests.get(url, params={"token": rasa_token()}, timeout=10).status_code == 200  # CONTRACT.md
    for wrong in ("Bearer wrong", "Bearer ", f"Basic {rasa_token()}", f"Bearer {rasa_token()[:-1]}"):
        assert requests.get(url, headers={"Authorization": wrong}, timeout=10).status_code == 401, wrong


def test_models_cannot_be_replaced_or_unloaded_over_http_even_with_the_token(stack):
    url = f"http://127.0.0.1:{stack.rasa_port}/model"
    headers = {"Authorization": f"Bearer {rasa_token()}"}
    replace = requests.put(url, headers=headers, json={"model_file": "/tmp/evil.tar.gz"}, timeout=10)
    assert replace.status_code == 403
    assert requests.delete(url, headers=headers, timeout=10).status_code == 403
    # The model is still loaded and answers.
    parsed = requests.post(f"{url}/parse", headers=headers, json={"text": "hej"}, timeout=30)
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"]


def test_rasa_answers_cross_origin_requests_only_for_configured_origins(stack):
    url = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"
    own = f"http://127.0.0.1:{stack.web_port}"
    for origin, allowed in ((own, True), ("https://evil.example", False), ("null", False)):
        preflight = requests.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"}, timeout=10)
        answer = preflight.headers.get("Access-Control-Allow-Origin")
        if allowed:
            assert answer == origin
        else:
            assert answer in (None, "") and answer != "*", (origin, answer)


def test_the_nginx_access_log_has_no_query_strings():
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    formats = dict(re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", template))
    uses = re.findall(r"^\s*access_log\s+(\S+)(?:\s+(\w+))?;", template, re.MULTILINE)
    assert uses, "no access_log line"
    for _path, name in uses:
        assert name in formats, f"access_log {_path} uses the default format, which logs $request"
        for variable in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_"):
            assert variable not in formats[name].replace("'", ""), variable


def test_secure_cookies_setting_trusts_the_proxy_for_https_and_sends_hsts(tmp_path):
    script = ("import django; django.setup()\n"
              "from django.test.utils import setup_test_environment; setup_test_environment()\n"
              "from django.test import Client\n"
              "r = Client().get('/healthz', HTTP_X_FORWARDED_PROTO='https')\n"
              "print(r.status_code, r.headers.get('Strict-Transport-Security'))\n")
    env = process_env({"DJANGO_SECURE_COOKIES": "1", "NEWCOMER_VAR_DIR": str(tmp_path)})
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert output.stdout.split()[:2] == ["200", "max-age=31536000"], output.stdout + output.stderr[-1500:]
    # Without the setting the header is not trusted: a client cannot claim https.
    env.pop("DJANGO_SECURE_COOKIES")
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert output.stdout.split()[:2] == ["200", "None"], output.stdout + output.stderr[-1500:]
