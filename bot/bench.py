"""Throughput and latency of the whole stack under concurrent conversations: ``make bench``.

Starts the product (action server, Rasa server with the trained model and the SQL tracker
store, web app) on free ports with a private SQLite database, then drives ``--conversations``
concurrent conversations through the REST channel, each sending ``--turns`` messages one after
the other (a user waits for the answer before writing again). The mix is realistic: the three
languages, every topic (messages from the held-out split), municipality turns, button
payloads, language switches, small talk and bad input.

Afterwards it checks the tracker store through Rasa's HTTP API: every message sent is there
exactly once and was answered (nothing lost, nothing doubled).

    python -m bot.bench [--conversations 20] [--turns 15] [--warmup 20]

Comparison with stock Rasa (DIET + TED) belongs to the performance issue and is not built yet.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from bot.language import LANGUAGES

BAD_INPUT = ["", "   ", "👍👍", "x" * 3000, "\u202e\u2066", "qwrt zxcv"]
MUNICIPALITY_TURNS = {"sv": ["jag bor i Nacka", "Varberg", "13130"], "ar": ["انا ساكن في فاربيري", "مالمو"],
                      "fa_AF": ["در نکا زندگی میکنم", "یوتبوری"]}
PAYLOADS = ["/sfi_cost", "/housing_queue", "/school_lunch", '/switch_language{"language":"ar"}']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message_mix(seed: int = 7) -> Dict[str, List[str]]:
    from bot.evaluate import load_examples

    random.seed(seed)
    return {language: [text for text, _ in load_examples(language)] for language in LANGUAGES}


def conversation_script(number: int, turns: int, mix: Dict[str, List[str]]) -> List[str]:
    rng = random.Random(number)
    language = LANGUAGES[number % len(LANGUAGES)]
    script = []
    for turn in range(turns):
        roll = rng.random()
        if turn == 1 or roll < 0.1:
            script.append(rng.choice(MUNICIPALITY_TURNS[language]))
        elif roll < 0.2:
            script.append(rng.choice(PAYLOADS))
        elif roll < 0.25:
            script.append(rng.choice(BAD_INPUT))
        else:
            script.append(rng.choice(mix[language]))
    return script


async def run_conversation(session, url: str, sender: str, script: List[str], latencies: List[float],
                           errors: List[str]) -> int:
    sent = 0
    for message in script:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": message}) as response:
                body = await response.json()
                if response.status != 200 or not body:
                    errors.append(f"{response.status} {str(body)[:80]}")
        except Exception as error:  # counted, never raised: the benchmark reports errors
            errors.append(repr(error))
        latencies.append(time.perf_counter() - started)
        sent += 1
    return sent


async def drive(rasa_url: str, conversations: int, turns: int, mix, prefix: str) -> Tuple[float, List[float], List[str], Dict[str, int]]:
    import aiohttp

    url = f"{rasa_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    errors: List[str] = []
    scripts = {f"{prefix}-{n}": conversation_script(n, turns, mix) for n in range(conversations)}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        counts = await asyncio.gather(*(run_conversation(session, url, sender, script, latencies, errors)
                                        for sender, script in scripts.items()))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, errors, dict(zip(scripts, counts))


def check_tracker_store(rasa_url: str, sent: Dict[str, int]) -> Tuple[int, int]:
    """(lost or doubled messages, messages without an answer) according to the trackers."""
    import requests

    from bot.settings import rasa_token

    wrong_count = unanswered = 0
    for sender, count in sent.items():
        events = requests.get(f"{rasa_url}/conversations/{sender}/tracker", params={"token": rasa_token()},
                              timeout=30).json()["events"]
        user_turns = [i for i, e in enumerate(events) if e["event"] == "user"]
        wrong_count += abs(len(user_turns) - count)
        for index, start in enumerate(user_turns):
            end = user_turns[index + 1] if index + 1 < len(user_turns) else len(events)
            if not any(e["event"] == "bot" for e in events[start:end]):
                unanswered += 1
    return wrong_count, unanswered


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=20, help="messages sent before measuring")
    args = parser.parse_args()

    run_dir = Path(tempfile.mkdtemp(prefix="newcomer-bench-"))
    os.environ["NEWCOMER_VAR_DIR"] = str(run_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{run_dir / 'bench.sqlite3'}"
    # The registers (Skolverket) are outside this machine; measure the product, not the wait
    # for an unreachable API (the facts tests cover slow and failing sources).
    os.environ.setdefault("FACTS_OFFLINE", "1")
    from bot.stack import Stack, model_path, prepare_database, train_if_needed

    train_if_needed()
    prepare_database()
    stack = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(), log_dir=run_dir / "logs")
    started = time.perf_counter()
    stack.start(model_path(), timeout=240)
    ready_seconds = time.perf_counter() - started
    rasa_url = f"http://127.0.0.1:{stack.rasa_port}"
    try:
        mix = message_mix()
        asyncio.run(drive(rasa_url, 4, max(1, args.warmup // 4), mix, "warmup"))
        elapsed, latencies, errors, sent = asyncio.run(drive(rasa_url, args.conversations, args.turns, mix, "bench"))
        wrong_count, unanswered = check_tracker_store(rasa_url, sent)
    finally:
        stack.stop()

    total = sum(sent.values())
    print(f"\nstack: SQL tracker store on SQLite, action server, content DB, FACTS_OFFLINE={os.environ['FACTS_OFFLINE']};"
          f" {os.cpu_count()} cores")
    print(f"start to ready: {ready_seconds:.1f} s")
    print(f"{'conversations':>13} {'messages':>9} {'msg/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'errors':>7} {'lost/doubled':>13} {'unanswered':>11}")
    print(f"{args.conversations:>13} {total:>9} {total / elapsed:>7.1f} {1000 * statistics.median(latencies):>7.0f} "
          f"{1000 * percentile(latencies, 0.95):>7.0f} {1000 * percentile(latencies, 0.99):>7.0f} {len(errors):>7} "
          f"{wrong_count:>13} {unanswered:>11}")
    for error in errors[:5]:
        print("  error:", error)
    return 0 if not errors and not wrong_count and not unanswered else 1


if __name__ == "__main__":
    sys.exit(main())
