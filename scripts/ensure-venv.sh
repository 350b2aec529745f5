#!/usr/bin/env bash
# Make .venv point at a virtual environment with exactly requirements.txt installed.
#
# Environments are cached under ~/.cache/newcomer-assistant/venv-<hash of requirements.txt>,
# so the 4-minute install (rasa, TensorFlow) happens once per set of pins. Everything is
# resolved in ONE pip run and checked with `pip check`: rasa 3.6 pins old numpy, SQLAlchemy,
# pydantic and attrs, and a package installed in a later run could silently break it.
set -euo pipefail
cd "$(dirname "$0")/.."

python_version="3.10.13"   # Rasa 3.6 runs on Python 3.8–3.10
hash=$(sha256sum requirements.txt | cut -c1-16)
cache_root="${NEWCOMER_CACHE:-$HOME/.cache/newcomer-assistant}"
venv="$cache_root/venv-$hash"

if [ ! -f "$venv/.complete" ]; then
  python=""
  if command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$python_version pyenv which python >/dev/null 2>&1; then
    python=$(PYENV_VERSION=$python_version pyenv which python)
  elif command -v python3.10 >/dev/null 2>&1; then
    python=$(command -v python3.10)
  else
    echo "Python 3.10 is needed (pyenv install $python_version, or a python3.10 on PATH)" >&2
    exit 1
  fi
  echo "creating the virtual environment in $venv (about 4 minutes) …"
  rm -rf "$venv"
  mkdir -p "$cache_root"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip==24.0"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  "$venv/bin/pip" check
  touch "$venv/.complete"
fi

if [ "$(readlink .venv 2>/dev/null)" != "$venv" ]; then
  rm -rf .venv
  ln -s "$venv" .venv
fi
