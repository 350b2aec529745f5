"""The cheap performance regression check in ``make test``: fails only on a gross slowdown.

Measured as a ratio within one run, never as an absolute time, so a slow or busy CI machine
does not fail it. The reference is **Rasa serving the product's own model and action server
with Rasa's own serving layer**: its REST channel and its ``SQLTrackerStore`` (on a separate
SQLite file), without ``bot.tracker_store``'s cache or ``bot.rasa_speedups``. Both servers
get the same conversations, one after the other, on the same machine.

Why not stock Rasa (``bot.stock``, what ``make bench`` compares with): training DIET and TED
on the product's ~10,000 examples takes far longer than the three minutes this check may
add, even with few epochs. The reference used here needs no training and isolates exactly
the part of the stack the product's performance work changed — the per-message cost of the
tracker store, the channel and the action-server round trip. Everything the product does on
top of Rasa's serving layer must not make a turn grossly slower than Rasa's own layer does:
with the cache the product is faster; the check fails when it is less than ``MIN_RATIO`` as
fast (e.g. the cache stopped hitting and something else got slow, or a change made every
message re-read and re-write the conversation).

A slowdown inside the model or the actions slows both servers alike and is not what this
check catches; ``make bench`` (against stock Rasa) and docs/performance.md cover those.

    python -m bot.bench --regression     # on its own stack; tests/test_performance_regression.py
                                          # runs the same comparison on the test stack
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Tuple

from bot import bench

MIN_RATIO = float(os.environ.get("PERF_MIN_RATIO", "0.5"))
CONVERSATIONS = 10
TURNS = 8
WARMUP = 8


def reference_run(model: Path, actions_port: int, run_dir: Path, mix) -> bench.Run:
    """Rasa's own REST channel and SQL tracker store on the product's model and actions."""
    from bot import stock
    from bot.stack import ROOT, process_env

    port = bench._free_port()
    files = stock.server_files(run_dir, actions_port)
    log = open(run_dir / "reference-rasa.log", "ab")
    process = subprocess.Popen(stock.server_command(model, port, files), cwd=ROOT, env=process_env(),
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        bench.wait_http(f"http://127.0.0.1:{port}/", process, timeout=300)
        run = bench.Run("rasa-own")
        return bench.load(f"http://127.0.0.1:{port}", run, CONVERSATIONS, TURNS, WARMUP, mix)
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        log.close()


def compare(product_url: str, model: Path, actions_port: int, run_dir: Path) -> Tuple[bench.Run, bench.Run, str]:
    """Drive the running product, then the reference; (product, reference, printable table)."""
    mix = bench.message_mix()
    product = bench.load(product_url, bench.Run("product"), CONVERSATIONS, TURNS, WARMUP, mix)
    reference = reference_run(model, actions_port, run_dir, mix)
    table = "\n".join([bench.HEADER, bench.row(product, CONVERSATIONS), bench.row(reference, CONVERSATIONS),
                       f"throughput ratio product/reference: {product.throughput / reference.throughput:.2f} "
                       f"(fails below {MIN_RATIO})"])
    return product, reference, table


def failures(product: bench.Run, reference: bench.Run) -> list:
    problems = []
    if not product.ok:
        problems.append(f"product: {len(product.errors)} errors, {product.wrong_count} lost/doubled, "
                        f"{product.unanswered} unanswered {product.errors[:3]}")
    if product.throughput < MIN_RATIO * reference.throughput:
        problems.append(f"product throughput {product.throughput:.1f} msg/s is less than {MIN_RATIO} × "
                        f"Rasa's own serving layer ({reference.throughput:.1f} msg/s) in the same run")
    return problems


def main(_args=None) -> int:
    run_dir = Path(tempfile.mkdtemp(prefix="newcomer-perfcheck-"))
    os.environ["NEWCOMER_VAR_DIR"] = str(run_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{run_dir / 'perfcheck.sqlite3'}"
    os.environ.setdefault("FACTS_OFFLINE", "1")
    from bot.stack import Stack, model_path, prepare_database, train_if_needed

    train_if_needed()
    prepare_database()
    stack = Stack(rasa_port=bench._free_port(), actions_port=bench._free_port(), web_port=bench._free_port(),
                  log_dir=run_dir / "logs")
    stack.start(model_path(), timeout=240)
    try:
        stack.stop_process("web")  # not on the path of a message
        product, reference, table = compare(f"http://127.0.0.1:{stack.rasa_port}", model_path(),
                                            stack.actions_port, run_dir)
    finally:
        stack.stop()
    print(table)
    problems = failures(product, reference)
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
