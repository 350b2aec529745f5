"""The scale-out profile on one machine: ``make run-scaled`` (docs/deployment.md).

    python -m bot.scaled run [--instances 2] [--port 8080]

Starts, all on 127.0.0.1:

- a private PostgreSQL cluster (``var/scaled/postgres``, port 5433) holding the tracker store,
  content, staff data and tickets — Django and Rasa on the same ``DATABASE_URL``;
- Redis (port 6380, no persistence) for Rasa's lock store and the facts cache (``REDIS_URL``);
- ``--instances`` Rasa servers (5005, 5006, …), each with its own action server (5055, 5056, …;
  CONTRACT.md keeps the action server on localhost, so on several machines every Rasa server
  has one beside it);
- the web app (8000) and the periodic jobs (hand-off check, retention), once;
- nginx on ``--port`` in front of the Rasa servers and the web app.

PostgreSQL, Redis and nginx come from Debian packages (``scripts/ensure-services.sh`` installs
them when missing); the machine's own instances, if any, are not touched. As root, PostgreSQL
runs as ``postgres`` and Redis as ``redis`` (PostgreSQL refuses root). Passwords are generated
once and kept in ``var/scaled/secrets.json`` (mode 600). Ctrl-C stops everything.

Tests start the same profile with ``ScaledStack`` on free ports (tests/test_scaled*.py).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot import settings
from bot.stack import ROOT, VENV_BIN, Stack, end_with_parent, manage, process_env, train_if_needed

DEPLOY_DIR = ROOT / "deploy"
DATABASE_NAME = "newcomer"
DATABASE_USER = "newcomer"
# Longest a message waits for its conversation's lock held by a server that died; must stay
# above the slowest message (a few seconds under load). Rasa's default is 60 s.
TICKET_LOCK_LIFETIME_SECONDS = 20


def postgres_bin_dir() -> Path:
    """Where ``initdb`` and ``postgres`` live: Debian keeps them off PATH, per version."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed: run scripts/ensure-services.sh")
    return Path(candidates[-1]).parent


def ensure_services() -> None:
    subprocess.run([str(ROOT / "scripts" / "ensure-services.sh")], check=True)


def _service_user(name: str) -> Optional[str]:
    """As root, run a service as its Debian system user; otherwise as whoever we are."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"the system user {name!r} is missing; reinstall the Debian package") from None
    return name


def _chown(path: Path, user: Optional[str]) -> None:
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class ScaledStack(Stack):
    """PostgreSQL, Redis, several Rasa + action servers, the web app and nginx."""

    state_dir: Path = field(default_factory=lambda: settings.VAR_DIR / "scaled")
    instances: int = 2
    lb_port: int = 8080
    postgres_port: int = 5433
    redis_port: int = 6380
    rasa_ports: List[int] = field(default_factory=list)
    actions_ports: List[int] = field(default_factory=list)
    # Off for tests: their stack has no Telegram and keeps synthetic old conversations.
    periodic_jobs: bool = True

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir)
        self.rasa_ports = self.rasa_ports or [5005 + n for n in range(self.instances)]
        self.actions_ports = self.actions_ports or [5055 + n for n in range(self.instances)]
        # The base class hands RASA_URL to every process: internal callers (web app, hand-off,
        # Telegram worker) go through the load balancer like everyone else.
        self.rasa_port = self.lb_port
        self.actions_port = self.actions_ports[0]
        self.log_dir = self.log_dir or self.state_dir / "logs"
        self.pg_user = _service_user("postgres")
        self.redis_user = _service_user("redis")

    # --- secrets and URLs -------------------------------------------------------------------

    def secrets(self) -> Dict[str, str]:
        path = self.state_dir / "secrets.json"
        if not path.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            values = {name: secrets.token_urlsafe(24) for name in ("postgres_superuser", "postgres_app", "redis")}
            path.write_text(json.dumps(values))
            path.chmod(0o600)
        return json.loads(path.read_text())

    def database_url(self) -> str:
        return (f"postgresql://{DATABASE_USER}:{self.secrets()['postgres_app']}"
                f"@127.0.0.1:{self.postgres_port}/{DATABASE_NAME}")

    def redis_url(self) -> str:
        return f"redis://:{self.secrets()['redis']}@127.0.0.1:{self.redis_port}/0"

    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def service_env(self) -> Dict[str, str]:
        return {
            "DATABASE_URL": self.database_url(),
            "REDIS_URL": self.redis_url(),
            "RASA_PUBLIC_URL": self.public_url(),
            "TICKET_LOCK_LIFETIME": str(TICKET_LOCK_LIFETIME_SECONDS),
            # SQLAlchemy pool per Rasa server; Rasa's default (50 + 100 overflow) times
            # several servers would exceed PostgreSQL's max_connections.
            "SQL_POOL_SIZE": "10",
            "SQL_MAX_OVERFLOW": "20",
            # nginx on 127.0.0.1 is the proxy: the REST channel limits the address it forwards.
            "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES") or "127.0.0.1",
        }

    # --- PostgreSQL -------------------------------------------------------------------------

    @property
    def postgres_dir(self) -> Path:
        return self.state_dir / "postgres"

    def init_postgres(self) -> None:
        """A new cluster, once: superuser ``postgres`` with a password, TCP only."""
        data = self.postgres_dir / "data"
        if (data / "PG_VERSION").exists():
            return
        # The postgres user must reach its directory through ours (listing stays closed).
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o711)
        self.postgres_dir.mkdir(mode=0o700, exist_ok=True)
        _chown(self.postgres_dir, self.pg_user)
        password_file = self.postgres_dir / "superuser-password"
        password_file.write_text(self.secrets()["postgres_superuser"] + "\n")
        password_file.chmod(0o600)
        _chown(password_file, self.pg_user)
        subprocess.run(
            [str(postgres_bin_dir() / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={password_file}",
             "--auth-host=scram-sha-256", "--auth-local=reject", "--encoding=UTF8", "--locale=C.UTF-8"],
            check=True, user=self.pg_user, cwd=self.postgres_dir, stdout=subprocess.DEVNULL,
        )
        password_file.unlink()
        # Our settings live in deploy/; copied in, so the cluster does not depend on the checkout.
        shutil.copy(DEPLOY_DIR / "postgresql.conf", data / "newcomer.conf")
        _chown(data / "newcomer.conf", self.pg_user)
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("\ninclude 'newcomer.conf'\n")

    def create_database(self) -> None:
        """The application's role and database, owned by that role (not a superuser)."""
        import psycopg2
        from psycopg2 import sql

        connection = psycopg2.connect(host="127.0.0.1", port=self.postgres_port, user="postgres",
                                      password=self.secrets()["postgres_superuser"], dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [DATABASE_USER])
            if not cursor.fetchone():
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(DATABASE_USER)),
                               [self.secrets()["postgres_app"]])
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if not cursor.fetchone():
                cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(DATABASE_NAME), sql.Identifier(DATABASE_USER)))
        connection.close()

    def postgres_ready(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(host="127.0.0.1", port=self.postgres_port, user="postgres", connect_timeout=2,
                             password=self.secrets()["postgres_superuser"], dbname="postgres").close()
            return True
        except psycopg2.OperationalError:
            return False

    # --- Redis and nginx ----------------------------------------------------------------------

    def redis_conf(self) -> Path:
        directory = self.state_dir / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
        _chown(directory, self.redis_user)
        path = directory / "redis.conf"
        path.write_text((DEPLOY_DIR / "redis.conf").read_text()
                        + f"\nport {self.redis_port}\ndir {directory}\nrequirepass {self.secrets()['redis']}\n")
        path.chmod(0o600)
        _chown(path, self.redis_user)
        return path

    def redis_ready(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.redis_url(), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def nginx_conf(self) -> Path:
        directory = self.state_dir / "nginx"
        (directory / "tmp").mkdir(parents=True, exist_ok=True)
        # nginx's workers run as nobody when started by root and create their temp dirs here.
        for path in (self.state_dir, directory, directory / "tmp"):
            path.chmod(0o711 if path != directory / "tmp" else 0o777)
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in self.rasa_ports)
        text = (DEPLOY_DIR / "nginx.conf.template").read_text()
        for placeholder, value in {"{state}": str(directory), "{rasa_servers}": servers,
                                   "{web_port}": str(self.web_port), "{port}": str(self.lb_port)}.items():
            text = text.replace(placeholder, value)
        path = directory / "nginx.conf"
        path.write_text(text)
        return path

    # --- processes --------------------------------------------------------------------------

    def rasa_endpoints_file(self, number: int) -> Path:
        text = (ROOT / "endpoints.yml").read_text().replace("127.0.0.1:5055", f"127.0.0.1:{self.actions_ports[number]}")
        text += "\nlock_store:\n  type: bot.lock_store.RedisUrlLockStore\n"
        path = self.state_dir / f"endpoints-{self.rasa_ports[number]}.yml"
        path.write_text(text)
        return path

    def commands(self, model: Path) -> Dict[str, List[str]]:
        python = str(VENV_BIN / "python")
        commands: Dict[str, List[str]] = {
            "postgres": [str(postgres_bin_dir() / "postgres"), "-D", str(self.postgres_dir / "data"),
                         "-p", str(self.postgres_port), "-c", "listen_addresses=127.0.0.1"],
            "redis": [shutil.which("redis-server") or "/usr/bin/redis-server", str(self.state_dir / "redis" / "redis.conf")],
        }
        for number in range(self.instances):
            commands[f"actions-{number + 1}"] = [python, "-m", "bot.action_server", "--actions", "actions",
                                                 "--port", str(self.actions_ports[number]), "--quiet"]
        for number in range(self.instances):
            # bot.rasa_server: the token from RASA_TOKEN, never on this command line (ps shows it).
            commands[f"rasa-{number + 1}"] = [
                python, "-m", "bot.rasa_server", "run", "--enable-api",
                "-i", "127.0.0.1", "-p", str(self.rasa_ports[number]),
                "--cors", *settings.rasa_cors_origins(self.public_url(), {**os.environ, **self.extra_env}),
                "-m", str(model),
                "--endpoints", str(self.rasa_endpoints_file(number)), "--credentials", "credentials.yml"]
        commands["web"] = [python, "manage.py", "runserver", f"127.0.0.1:{self.web_port}", "--noreload"]
        if self.periodic_jobs:
            # Singletons: one per deployment, not per Rasa server (docs/deployment.md).
            commands["handoff"] = [python, "manage.py", "handoff_tick", "--every", "30"]
            commands["retention"] = [python, "manage.py", "transcripts_retention", "--every", "3600"]
        if self.telegram:
            commands["telegram"] = [python, "-m", "bot.telegram"]
        commands["nginx"] = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.state_dir / "nginx"),
                             "-c", str(self.state_dir / "nginx" / "nginx.conf"), "-e", str(self.state_dir / "nginx" / "error.log")]
        return commands

    def probes(self) -> Dict[str, Callable[[], bool]]:
        def http(url: str) -> Callable[[], bool]:
            def probe() -> bool:
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False
            return probe

        probes: Dict[str, Callable[[], bool]] = {"postgres": self.postgres_ready, "redis": self.redis_ready}
        for number in range(self.instances):
            probes[f"actions-{number + 1}"] = http(f"http://127.0.0.1:{self.actions_ports[number]}/health")
            probes[f"rasa-{number + 1}"] = http(f"http://127.0.0.1:{self.rasa_ports[number]}/")
        probes["web"] = http(f"http://127.0.0.1:{self.web_port}/healthz")
        probes["nginx"] = http(f"{self.public_url()}/healthz")
        return probes

    def start_process(self, name: str) -> None:
        env = process_env({"RASA_URL": self.public_url(), **self.service_env(), **self.extra_env})
        user = {"postgres": self.pg_user, "redis": self.redis_user}.get(name)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        output = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            self.commands(self.model)[name], cwd=self.postgres_dir if name == "postgres" else ROOT, env=env,
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True, user=user,
            # PostgreSQL: SIGINT is its fast shutdown (see stop_process).
            preexec_fn=end_with_parent(signal.SIGINT if name == "postgres" else signal.SIGTERM))
        output.close()

    def stop_process(self, name: str) -> None:
        process = self.processes[name]
        if name == "postgres" and process.poll() is None:
            # SIGTERM is PostgreSQL's "smart" shutdown, which waits for every pooled client
            # to disconnect; SIGINT ("fast") ends their sessions and shuts down cleanly.
            os.kill(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGQUIT)
                process.wait()
            return
        super().stop_process(name)

    def wait_ready(self, timeout: float, names: Optional[List[str]] = None) -> None:
        deadline = time.monotonic() + timeout
        probes = self.probes()
        waiting = [name for name in self.processes if (names is None or name in names) and name in probes]
        while waiting:
            for name in list(waiting):
                if self.processes[name].poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited with code {self.processes[name].returncode} while starting "
                                       f"(see {self.log_dir / (name + '.log')})")
                if probes[name]():
                    waiting.remove(name)
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
            if waiting:
                time.sleep(0.5)

    def start(self, model: Path, timeout: float = 240) -> None:
        try:
            self._start(model, timeout)
        except BaseException:  # Ctrl-C or a failure while starting: leave nothing running
            self.stop()
            raise

    def _start(self, model: Path, timeout: float) -> None:
        self.model = model
        for port in [self.postgres_port, self.redis_port, self.lb_port, self.web_port,
                     *self.rasa_ports, *self.actions_ports]:
            if _port_open(port):
                raise RuntimeError(f"port {port} on 127.0.0.1 is taken; stop what uses it or choose other ports")
        self.init_postgres()
        self.redis_conf()
        self.nginx_conf()
        for name in ("postgres", "redis"):
            self.start_process(name)
        self.wait_ready(60, ["postgres", "redis"])
        self.create_database()
        env = self.service_env()
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("load_content", env=env)
        manage("load_office_hours", env=env)
        for name in self.commands(model):
            if name not in self.processes and name != "telegram":
                self.start_process(name)
        self.wait_ready(timeout)
        if self.telegram:
            self.start_process("telegram")

    def stop(self) -> None:
        # A second Ctrl-C or SIGTERM while stopping must not leave half the stack running
        # (PostgreSQL and Redis last, so nothing loses its database mid-message).
        ignored = {}
        for number in (signal.SIGINT, signal.SIGTERM):
            try:
                ignored[number] = signal.signal(number, signal.SIG_IGN)
            except ValueError:  # not the main thread: nobody there to interrupt us anyway
                pass
        try:
            for name in reversed(list(self.processes)):
                self.stop_process(name)
        finally:
            for number, handler in ignored.items():
                signal.signal(number, handler)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--instances", type=int, default=2, help="Rasa servers (each with an action server)")
    parser.add_argument("--port", type=int, default=8080, help="nginx, the one public port")
    args = parser.parse_args(argv)
    ensure_services()
    model = train_if_needed()
    stack = ScaledStack(instances=args.instances, lb_port=args.port, telegram=bool(os.environ.get("TELEGRAM_TOKEN")))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stack.start(model)
    rasa = ", ".join(f"127.0.0.1:{port}" for port in stack.rasa_ports)
    print(
        "\nThe assistant is running (scale-out profile, docs/deployment.md):\n"
        f"  load balancer (nginx) {stack.public_url()}/  demo page, staff app, REST channel, socket.io, HTTP API\n"
        f"  REST channel          {stack.public_url()}/webhooks/rest/webhook\n"
        f"  Rasa servers          {rasa}  (token in var/rasa_token or $RASA_TOKEN)\n"
        f"  web app               127.0.0.1:{stack.web_port}\n"
        f"  PostgreSQL            127.0.0.1:{stack.postgres_port}  database {DATABASE_NAME}, data in {stack.postgres_dir}\n"
        f"  Redis                 127.0.0.1:{stack.redis_port}  locks + facts cache, not persisted\n"
        f"  logs                  {stack.log_dir}/\n"
        f"  passwords             {stack.state_dir / 'secrets.json'}\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    return stack.wait()


if __name__ == "__main__":
    sys.exit(main())
