"""Stock Rasa on the product's data, domain and actions: the reference ``make bench`` compares with.

"Stock" means what ``rasa init`` gives a new project in Rasa 3.6, changed only where the product
cannot work otherwise:

* the ``config.yml`` that ``rasa init`` writes leaves pipeline and policies empty, so Rasa fills
  in its default ones (``rasa/engine/recipes/config_files/default_config.yml``: DIET,
  ResponseSelector, Memoization, Rule, UnexpecTED and TED policies). This module writes that
  default config out explicitly, with one change: the number of training epochs
  (``STOCK_EPOCHS``, default 2 instead of 100). Serving cost does not depend on it — the
  networks have the same layers and the same input size (the vocabulary comes from the same
  data) whatever the epochs — while 100 epochs of DIET on the product's ~10,000 examples take
  hours on two cores (measured: 157 s for the first epoch on the loaded bench machine). A
  less trained stock model answers some messages differently (more fallbacks), which changes
  which action runs, not the cost of running the models. ``STOCK_EPOCHS=100`` trains it fully;
* the same NLU data, rules and ``domain.yml`` as the product, and the product's action server:
  every reply of the product is composed by a custom action (answers come from the content
  database), so a responses-only stock bot would answer a different question;
* Rasa's own REST channel (``rest:`` in credentials) and Rasa's own SQL tracker store on an
  SQLite file, with none of the product's speed-ups (``bot.rasa_speedups``,
  ``bot.tracker_store``), so the comparison measures what the product's choices buy.

The model is trained once per data/domain/config and cached in ``models/stock-<hash>.tar.gz``.

    python -m bot.stock train        # train the stock model if needed (``make bench`` does this)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from bot import settings
from bot.stack import MODELS_DIR, ROOT, VENV_BIN, inputs_hash, process_env

def epochs() -> int:
    return int(os.environ.get("STOCK_EPOCHS", "2"))


def init_config() -> Path:
    """The config.yml `rasa init` writes, shipped inside Rasa (pipeline and policies left empty)."""
    import rasa.cli

    return Path(rasa.cli.__file__).parent / "initial_project" / "config.yml"


def stock_config_text() -> str:
    """Rasa's default pipeline and policies (what the empty init config trains), with ``epochs()``."""
    import rasa.engine.recipes

    default = Path(rasa.engine.recipes.__file__).parent / "config_files" / "default_config.yml"
    return re.sub(r"epochs: 100\b", f"epochs: {epochs()}", default.read_text())


def config_path() -> Path:
    """The stock config as a file for ``rasa train`` (under var/, which git ignores)."""
    path = settings.VAR_DIR / f"stock-config-{epochs()}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = stock_config_text()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


# What the stock model is trained from: `rasa init`'s config and the product's data and domain.
STOCK_INPUTS = ["domain.yml", "data/nlu", "data/rules"]


def training_hash() -> str:
    return inputs_hash(STOCK_INPUTS, stock_config_text().encode())


def model_path() -> Path:
    return MODELS_DIR / f"stock-{training_hash()}.tar.gz"


def train_if_needed() -> Path:
    """Train the stock model unless one for exactly these inputs exists; prints the time taken."""
    target = model_path()
    if target.exists():
        print(f"stock model up to date: {target.relative_to(ROOT)}", flush=True)
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    print(f"training stock Rasa ({target.relative_to(ROOT)}, Rasa's default config, {epochs()} epochs) …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--config", str(config_path()), "--domain", "domain.yml",
         "--data", "data/nlu", "data/rules", "--out", str(MODELS_DIR), "--fixed-model-name", target.name[:-7]],
        cwd=ROOT, env=process_env(), check=True,
    )
    print(f"stock trained in {time.monotonic() - started:.0f} s", flush=True)
    return target


def server_files(run_dir: Path, actions_port: int) -> Dict[str, Path]:
    """endpoints.yml (our action server, Rasa's SQL tracker store on SQLite) and credentials.yml
    (Rasa's REST channel) for the stock server."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = run_dir / "stock-endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {run_dir / 'stock-tracker.sqlite3'}\n"
    )
    credentials = run_dir / "stock-credentials.yml"
    credentials.write_text("rest:\n")
    return {"endpoints": endpoints, "credentials": credentials}


def server_command(model: Path, port: int, files: Dict[str, Path]) -> List[str]:
    return [str(VENV_BIN / "rasa"), "run", "--enable-api", "--auth-token", settings.rasa_token(),
            "-i", "127.0.0.1", "-p", str(port), "-m", str(model),
            "--endpoints", str(files["endpoints"]), "--credentials", str(files["credentials"])]


if __name__ == "__main__":
    if sys.argv[1:] != ["train"]:
        sys.exit("usage: python -m bot.stock train")
    train_if_needed()
