"""Train when needed and run the whole stack: action server, Rasa server, web app.

    python -m bot.stack train        # train only if data, domain or config changed
    python -m bot.stack run          # migrate, load content, start everything; Ctrl-C stops all

``make run`` calls both. Tests use ``Stack`` to start the same processes on other ports.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import settings

ROOT = settings.ROOT
VENV_BIN = Path(sys.executable).parent
MODELS_DIR = ROOT / "models"

# Everything that changes what the trained model is. The tokeniser normalises with
# bot/language.py, so its code is training input too.
TRAINING_INPUTS = ["config.yml", "domain.yml", "data/nlu", "data/rules", "bot/nlu_components.py", "bot/decision.py", "bot/language.py",
                   "bot/redaction.py"]


def inputs_hash(entries: List[str], seed: bytes = b"") -> str:
    """A short hash of ``seed`` and every file under ``entries`` (names and contents)."""
    digest = hashlib.sha256(seed)
    for entry in entries:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def training_hash() -> str:
    return inputs_hash(TRAINING_INPUTS)


def model_path() -> Path:
    return MODELS_DIR / f"model-{training_hash()}.tar.gz"


def train_if_needed() -> Path:
    """Train unless a model for exactly these inputs exists already."""
    target = model_path()
    if target.exists():
        print(f"model up to date: {target.relative_to(ROOT)}", flush=True)
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    print(f"training {target.relative_to(ROOT)} …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data/nlu", "data/rules", "--out", str(MODELS_DIR), "--fixed-model-name", target.name[:-7]],
        cwd=ROOT, env=process_env(), check=True,
    )
    print(f"trained in {time.monotonic() - started:.0f} s", flush=True)
    return target


def process_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["RASA_TOKEN"] = settings.rasa_token()
    env.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["SANIC_HOST"] = "127.0.0.1"  # the action server is never reachable from outside
    env.update(extra or {})
    return env


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent(death_signal: int = signal.SIGTERM):
    """A ``preexec_fn`` that makes the child receive ``death_signal`` when this process dies,
    however it dies: a supervisor killed with SIGKILL (a second Ctrl-C, a service manager)
    runs no cleanup, and children in sessions of their own would keep their ports.

    Set after any change of user (``Popen(user=…)``): Linux clears the setting on a change of
    credentials, and ``preexec_fn`` runs after it."""
    supervisor = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child between fork and exec must not import

    def in_child() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
        if os.getppid() != supervisor:  # the supervisor died before prctl: no signal will come
            os._exit(1)

    return in_child


def manage(*args: str, env: Optional[Dict[str, str]] = None) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=process_env(env), check=True)


@dataclass
class Stack:
    """The running processes of the product, on the given ports."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    extra_env: Dict[str, str] = field(default_factory=dict)
    log_dir: Optional[Path] = None
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    model: Optional[Path] = None
    telegram: bool = False  # the Telegram worker; main() turns it on when TELEGRAM_TOKEN is set
    # Hourly transcript retention (docs/privacy.md); main() turns it on. Off for test stacks,
    # whose synthetic old conversations other tests still need.
    retention: bool = False

    def endpoints_file(self) -> Path:
        """endpoints.yml with this stack's action server port."""
        text = (ROOT / "endpoints.yml").read_text().replace("127.0.0.1:5055", f"127.0.0.1:{self.actions_port}")
        if self.extra_env.get("REDIS_URL") or os.environ.get("REDIS_URL"):
            # CONTRACT.md: with REDIS_URL, Rasa servers share Redis's lock store (bot/lock_store.py).
            text += "\nlock_store:\n  type: bot.lock_store.RedisUrlLockStore\n"
        path = settings.VAR_DIR / f"endpoints-{self.rasa_port}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commands(self, model: Path) -> Dict[str, List[str]]:
        return {
            "actions": [str(VENV_BIN / "python"), "-m", "bot.action_server", "--actions", "actions",
                        "--port", str(self.actions_port), "--quiet"],
            # bot.rasa_server: the token from RASA_TOKEN, never on this command line (ps shows it).
            "rasa": [str(VENV_BIN / "python"), "-m", "bot.rasa_server", "run", "--enable-api",
                     "-i", "127.0.0.1", "-p", str(self.rasa_port),
                     "--cors", *settings.rasa_cors_origins(f"http://127.0.0.1:{self.web_port}",
                                                           {**os.environ, **self.extra_env}), "-m", str(model),
                     "--endpoints", str(self.endpoints_file()), "--credentials", "credentials.yml"],
            "web": [str(VENV_BIN / "python"), "manage.py", "runserver", f"127.0.0.1:{self.web_port}", "--noreload"],
            # Periodic work: hand-off tickets nobody claimed in time (webapp/handoff/service.py).
            "handoff": [str(VENV_BIN / "python"), "manage.py", "handoff_tick", "--every", "30"],
            **({"telegram": [str(VENV_BIN / "python"), "-m", "bot.telegram"]} if self.telegram else {}),
            **({"retention": [str(VENV_BIN / "python"), "manage.py", "transcripts_retention", "--every", "3600"]}
               if self.retention else {}),
        }

    def health_urls(self) -> Dict[str, str]:
        return {
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
            "rasa": f"http://127.0.0.1:{self.rasa_port}/",
            "web": f"http://127.0.0.1:{self.web_port}/healthz",
        }

    def start(self, model: Path, timeout: float = 180) -> None:
        self.model = model
        settings.private_var_dir()
        settings.secure_database_files()
        for name in self.commands(model):
            if name != "telegram":
                self.start_process(name)
        self.wait_ready(timeout)
        if self.telegram:  # after Rasa is ready, so first messages are answered, not queued
            self.start_process("telegram")

    def start_process(self, name: str) -> None:
        """Start (or restart) one process of the stack."""
        env = process_env({"RASA_URL": f"http://127.0.0.1:{self.rasa_port}", **self.extra_env})
        output = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(self.commands(self.model)[name], cwd=ROOT, env=env, stdout=output,
                                                stderr=subprocess.STDOUT if output else None, start_new_session=True,
                                                preexec_fn=end_with_parent())

    def stop_process(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait_ready(self, timeout: float, names: Optional[List[str]] = None) -> None:
        deadline = time.monotonic() + timeout
        waiting = {name: url for name, url in self.health_urls().items()
                   if (names is None or name in names) and name in self.processes}
        while waiting:
            for name, url in list(waiting.items()):
                if self.processes[name].poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited with code {self.processes[name].returncode} while starting")
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            del waiting[name]
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
            if waiting:
                time.sleep(0.5)

    def stop(self) -> None:
        for name in self.processes:
            self.stop_process(name)

    def wait(self) -> int:
        """Block until one process ends (then stop the rest) or Ctrl-C."""
        try:
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        print(f"{name} stopped (exit code {process.returncode}); stopping the stack", flush=True)
                        return process.returncode or 1
                time.sleep(1)
        except KeyboardInterrupt:
            print("\nstopping …", flush=True)
            return 0
        finally:
            self.stop()


def prepare_database() -> None:
    manage("migrate", "--noinput", "-v", "0")
    manage("load_content")
    manage("load_office_hours")
    settings.secure_database_files()  # also a database created before files were kept private


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["train", "run", "model-path"])
    parser.add_argument("--ports", default="5005,5055,8000", metavar="RASA,ACTIONS,WEB",
                        help="the three ports of `run` (default: %(default)s, as CONTRACT.md)")
    args = parser.parse_args(argv)
    # Everything the stack writes (var/, databases, logs, generated secrets) is the owner's only.
    os.umask(0o077)
    if args.command == "model-path":
        print(model_path())
        return 0
    model = train_if_needed()
    if args.command == "train":
        return 0
    prepare_database()
    rasa_port, actions_port, web_port = (int(port) for port in args.ports.split(","))
    stack = Stack(rasa_port=rasa_port, actions_port=actions_port, web_port=web_port,
                  telegram=bool(os.environ.get("TELEGRAM_TOKEN")), retention=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stack.start(model)
    print(
        "\nThe assistant is running:\n"
        f"  demo page + widget    http://127.0.0.1:{stack.web_port}/  (embed /widget/newcomer-widget.js)\n"
        f"  REST channel          http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook\n"
        f"  Rasa HTTP API         http://127.0.0.1:{stack.rasa_port}/  (token in var/rasa_token or $RASA_TOKEN)\n"
        f"  action server         http://127.0.0.1:{stack.actions_port}/  (localhost only)\n"
        + (f"  Telegram bot          on ({os.environ.get('TELEGRAM_MODE', 'polling')} mode; docs/telegram.md)\n"
           if stack.telegram else "  Telegram bot          off (set TELEGRAM_TOKEN; docs/telegram.md)\n") +
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    return stack.wait()


if __name__ == "__main__":
    sys.exit(main())
