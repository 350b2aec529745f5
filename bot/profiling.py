"""A sampling profiler for the processes of the stack, without extra packages.

py-spy and pyinstrument are not in the pinned environment, and cProfile only sees the thread
it runs in (and slows everything down several times). This samples every thread's stack with
``sys._current_frames()`` from a background thread every few milliseconds, which costs little
and sees the asyncio loop, executor threads and SQLAlchemy alike.

``python -m bot.bench --profile`` puts ``bot/profiling_site`` first on ``PYTHONPATH``, whose
``sitecustomize`` calls ``start()`` in every Python process of the stack. Each process writes
``<NEWCOMER_PROFILE_DIR>/<name>-<pid>.txt`` every few seconds and at exit: the functions with
the most samples on the stack ("inclusive") and on top ("self"), ours and Rasa's alike.

    python -m bot.profiling report DIR   # print the reports of a profiled run

The sampler shows where time goes, including start-up and other threads, but it samples less
often while the main thread holds the GIL. ``python -m bot.bench --cprofile DIR`` instead runs
cProfile in the main thread of every process (``NEWCOMER_CPROFILE_DIR``): the benchmark clears
it (SIGUSR2) just before the measured load and has it write ``<name>-<pid>.prof`` (SIGUSR1)
just after, so the file holds exactly the load, call counts included:

    python -m bot.profiling cprofile DIR/rasa-*.prof   # the functions with the most time
"""

from __future__ import annotations

import atexit
import collections
import os
import sys
import threading
import time
from pathlib import Path
from typing import Counter, Optional

INTERVAL = 0.005


class Sampler:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.inclusive: Counter[str] = collections.Counter()
        self.self_time: Counter[str] = collections.Counter()
        self.stacks: Counter[str] = collections.Counter()
        self.samples = 0
        self._thread = threading.Thread(target=self._run, name="newcomer-profiler", daemon=True)

    def start(self) -> None:
        self._thread.start()
        atexit.register(self.write)

    def _run(self) -> None:
        me = threading.get_ident()
        last_write = time.monotonic()
        while True:
            time.sleep(INTERVAL)
            native = {ident: thread.native_id for ident, thread in threading._active.items()}
            for ident, frame in sys._current_frames().items():
                if ident == me or not self._running(native.get(ident)):
                    continue  # waiting for I/O, a lock or a timer (uvloop waits in C): not CPU
                top = self._name(frame)
                self.samples += 1
                self.self_time[top] += 1
                self.stacks[self._stack(frame)] += 1
                seen = set()
                while frame is not None:
                    name = self._name(frame)
                    if name not in seen:
                        seen.add(name)
                        self.inclusive[name] += 1
                    frame = frame.f_back
            if time.monotonic() - last_write > 5:
                self.write()
                last_write = time.monotonic()

    @staticmethod
    def _running(native_id) -> bool:
        """Whether the kernel has the thread running or runnable (state R) right now."""
        if native_id is None:
            return True
        try:
            with open(f"/proc/self/task/{native_id}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "R"
        except OSError:
            return False

    def _stack(self, frame, depth: int = 12) -> str:
        names = []
        while frame is not None and len(names) < depth:
            names.append(self._name(frame))
            frame = frame.f_back
        return "\n      <- ".join(names)

    @staticmethod
    def _name(frame) -> str:
        code = frame.f_code
        filename = code.co_filename
        for marker in ("site-packages/", "lib/python3.10/", "/work/main/"):
            if marker in filename:
                filename = filename.split(marker, 1)[1]
                break
        return f"{filename}:{code.co_firstlineno} {code.co_name}"

    def write(self) -> None:
        if not self.samples:
            return
        lines = [f"{' '.join(sys.argv)[:200]}", f"samples (threads running on a CPU): {self.samples}", "",
                 "inclusive %  function"]
        lines += [f"{100 * n / self.samples:10.1f}  {name}" for name, n in self.inclusive.most_common(60)]
        lines += ["", "self %      function"]
        lines += [f"{100 * n / self.samples:10.1f}  {name}" for name, n in self.self_time.most_common(40)]
        lines += ["", "hottest stacks (innermost first)"]
        lines += [f"{100 * n / self.samples:10.1f}  {stack}" for stack, n in self.stacks.most_common(25)]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self.path)


_sampler: Optional[Sampler] = None


def _process_name() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if name in ("-m", "-c", "__main__.py") or not name:
        name = "python"
    if len(sys.argv) > 1 and name in ("python", "__main__.py"):
        name = sys.argv[1].replace("/", "_")[:30]
    return name


def start(directory: Optional[str] = None) -> None:
    """Start sampling this process if ``NEWCOMER_PROFILE_DIR`` (or ``directory``) is set."""
    global _sampler
    directory = directory or os.environ.get("NEWCOMER_PROFILE_DIR")
    if not directory or _sampler is not None:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    _sampler = Sampler(Path(directory) / f"{_process_name()}-{os.getpid()}.txt")
    _sampler.start()


_cprofiler = None


def start_cprofile(directory: Optional[str] = None) -> None:
    """cProfile in this (main) thread if ``NEWCOMER_CPROFILE_DIR`` is set; SIGUSR2 clears
    what it has, SIGUSR1 writes it."""
    global _cprofiler
    directory = directory or os.environ.get("NEWCOMER_CPROFILE_DIR")
    if not directory or _cprofiler is not None:
        return
    import cProfile
    import signal

    path = Path(directory) / f"{_process_name()}-{os.getpid()}.prof"
    path.parent.mkdir(parents=True, exist_ok=True)
    _cprofiler = cProfile.Profile()

    def clear(*_):
        _cprofiler.clear()

    def dump(*_):
        _cprofiler.dump_stats(str(path))

    signal.signal(signal.SIGUSR2, clear)
    signal.signal(signal.SIGUSR1, dump)
    _cprofiler.enable()


def cprofile_report(paths, limit: int = 45) -> None:
    import pstats

    for path in paths:
        print(f"==== {path}")
        stats = pstats.Stats(str(path))
        stats.sort_stats("cumulative").print_stats(limit)
        stats.sort_stats("tottime").print_stats(limit)


def report(directory: str) -> None:
    for path in sorted(Path(directory).glob("*.txt")):
        print(f"==== {path.name}")
        print(path.read_text())


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "cprofile":
        cprofile_report(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit("usage: python -m bot.profiling report DIR | cprofile FILE.prof ...")
