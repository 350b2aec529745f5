# The newcomer assistant. `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
# Same flags in tests/test_locales.py, which runs `pybabel update --check` with them.
BABEL_UPDATE_FLAGS := --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

.PHONY: help venv train run run-scaled services test test-unit test-stories validate eval locales chromium screenshots bench perf-check clean facts-refresh links

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv:  ## create or reuse the cached virtual environment (.venv)
	@scripts/ensure-venv.sh

train: venv  ## train the model if data, domain or config changed
	@mkdir -p models && flock models/.train.lock $(PY) -m bot.stack train

run: venv  ## train if needed, migrate, load content and start everything on 127.0.0.1 (Ctrl-C stops)
	@$(PY) -m bot.stack run

run-scaled: venv services  ## scale-out profile: PostgreSQL, Redis, two Rasa servers, nginx on :8080 (docs/deployment.md)
	@$(PY) -m bot.scaled run

services:  ## install PostgreSQL, Redis and nginx from Debian packages, if missing (scale-out profile)
	@scripts/ensure-services.sh

validate: venv  ## rasa data validate (domain, NLU data, rules)
	@.venv/bin/rasa data validate --fail-on-warnings --domain domain.yml --data data/nlu data/rules --config config.yml

test: venv train validate test-stories test-unit  ## everything CI runs: validation, conversation tests, pytest

test-stories: venv train  ## conversation tests in all three languages (rasa test)
	@.venv/bin/rasa test core --stories tests/stories --model $$($(PY) -m bot.stack model-path) \
	  --endpoints endpoints.yml --fail-on-prediction-errors --out var/results/stories --no-plot

test-unit: venv train chromium  ## pytest: unit tests, tests against the running stack, browser tests
	@$(PY) -m pytest

facts-refresh: venv  ## warm the register-facts cache (Skolverket) for all municipalities; MUNICIPALITIES="1490 1280" for some
	@$(PY) manage.py migrate --noinput -v 0 && $(PY) manage.py facts_refresh $(MUNICIPALITIES)

links: venv  ## check every URL in content and facts (needs the internet; FACTS_OFFLINE=1 checks nothing); report in var/
	@$(PY) manage.py links $(LINKS_ARGS)

eval: venv train  ## intent accuracy per language on the held-out split (tests/nlu/<lang>/)
	@$(PY) -m bot.evaluate

locales: venv  ## extract strings, update the sv/ar/fa_AF catalogs, compile them (as a check)
	@.venv/bin/pybabel extract -F babel.cfg -k N_ --add-comments=TRANSLATORS: --no-location --sort-output \
	  --project=newcomer-assistant -o locales/messages.pot .
	@.venv/bin/pybabel update -D messages -i locales/messages.pot -d locales $(BABEL_UPDATE_FLAGS)
	@.venv/bin/pybabel compile -D messages -d locales --statistics && find locales -name '*.mo' -delete

chromium:  ## install Debian's Chromium and Noto fonts for the browser tests, if missing
	@scripts/ensure-chromium.sh

screenshots: venv train chromium  ## the README's screenshots: widget per language, review list, content editor, hand-off inbox, review, accounts, transcript
	@$(PY) -m tests.browser.screenshots

bench: venv train  ## throughput, latency, memory, start-up at 20 concurrent conversations, and the ratio to stock Rasa
	@$(PY) -m bot.bench

perf-check: venv train  ## the performance regression check alone (make test runs it in tests/test_performance_regression.py)
	@$(PY) -m bot.bench --regression

clean:  ## remove trained models and local state (keeps the cached venv)
	rm -rf models/*.tar.gz var/
