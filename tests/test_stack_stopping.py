"""When the ``make run`` supervisor dies without cleaning up (SIGKILL: a second Ctrl-C, a
service manager giving up), every process it started ends too and frees its port, so the next
``make run`` can start (issue 12, item 11)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.stack import model_path, process_env
from tests.conftest import _free_port


def _children_of(pid: int):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent (init now) has not collected it


def _port_free(port: int) -> bool:
    """Whether a new server could listen there. SO_REUSEADDR as every server of the stack sets
    it: connections of the old one in TIME_WAIT (this test's own probes) do not count."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_killed_supervisor_takes_all_its_processes_with_it(tmp_path):
    if not model_path().exists():
        pytest.fail("no trained model: run `make train` first (make test does)")
    ports = [_free_port(), _free_port(), _free_port()]
    env = process_env({"NEWCOMER_VAR_DIR": str(tmp_path / "var"),
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'stack.sqlite3'}"})
    log = open(tmp_path / "supervisor.log", "wb")
    supervisor = subprocess.Popen([sys.executable, "-m", "bot.stack", "run", "--ports", ",".join(map(str, ports))],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 420
        while not all(_listening(port) for port in ports):
            assert supervisor.poll() is None, (tmp_path / "supervisor.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the stack did not start"
            time.sleep(1)
        children = _children_of(supervisor.pid)
        # Rasa, the action server, the web app, the hand-off ticker and the retention job.
        assert len(children) >= 5, children
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait()
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in children) or not all(_port_free(port) for port in ports):
            if time.monotonic() > deadline:
                survivors = [pid for pid in children if _alive(pid)]
                pytest.fail(f"still running after the supervisor was killed: {survivors}; "
                            f"ports in use: {[p for p in ports if not _port_free(p)]}")
            time.sleep(0.5)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        for pid in _children_of(supervisor.pid):  # only if the test failed: do not leave them behind
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        log.close()
