# Two commands matter: `make run` (set up, then serve) and `make test` (set up, then run the tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Models come from installed packages and models/, never from a hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-postgres lint browser-deps bench train-nli calibrate-int8 eval-nli tune eval clean \
	migrate fuzz load overload kill-test

install: $(VENV)/.installed

# torch is pinned and installed first: this exact CPU build is on the build machines' disk, and an
# unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: install
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

# The docs-page test drives Debian's Chromium (Playwright cannot download a browser here).
browser-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: install browser-deps
	$(BIN)/python -m pytest

# The same suite on PostgreSQL: a database of its own per session on FACTCHECK_TEST_POSTGRES_URL's server
# (default: the local one, postgresql+psycopg://postgres@127.0.0.1:5432/postgres), dropped afterwards.
test-postgres: install browser-deps
	FACTCHECK_TEST_DATABASE=postgres $(BIN)/python -m pytest

# Apply the schema migrations to FACTCHECK_DATABASE_URL (the service also applies them at start-up).
migrate: install
	$(BIN)/alembic upgrade head

# Schema-based fuzzing of every operation (schemathesis); more examples than the test run.
FUZZ_EXAMPLES ?= 200
fuzz: install
	FACTCHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FACTCHECK_FUZZ_RANDOM=1 $(BIN)/python -m pytest tests/test_fuzz.py -q -s

# Loopback load test: LOAD_CLIENTS clients for LOAD_SECONDS s on LOAD_DATABASE (sqlite|postgres), INSTANCES processes.
LOAD_CLIENTS ?= 8
LOAD_SECONDS ?= 60
LOAD_DATABASE ?= sqlite
INSTANCES ?= 1
load: install
	$(BIN)/python scripts/load_test.py --clients $(LOAD_CLIENTS) --duration $(LOAD_SECONDS) \
		--database $(LOAD_DATABASE) --instances $(INSTANCES) --out build/load-$(LOAD_DATABASE)-$(INSTANCES).json

# More claims than fit in the inference timeout: goodput, and how soon a lone check is answered afterwards.
overload: install
	$(BIN)/python scripts/overload_test.py --out build/overload.json

# SIGKILL the service mid-ingestion KILL_ROUNDS times, restart, and check the corpus.
KILL_ROUNDS ?= 5
kill-test: install
	$(BIN)/python scripts/kill_test.py --rounds $(KILL_ROUNDS) --database $(LOAD_DATABASE)

lint: install
	$(BIN)/ruff check app tests scripts
	$(BIN)/mypy app scripts

# Service latency/throughput, ingestion, bare model work and retrieval up to 1M sentences, each beside the
# previous run; the first run builds the synthetic corpora under build/bench/ (minutes). E.g.
# BENCH_ARGS="--sections service --verifiers nli" for one part; add "--repeat 3" for medians on a noisy machine.
BENCH_ARGS ?=
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# The in-house NLI model: rebuild it from ../shared/nli-data (about 1.5 h on 2 cores), then measure it.
train-nli: install
	$(BIN)/python scripts/train_nli.py
	$(BIN)/python scripts/calibrate_int8.py

# Activation ranges for the int8 export of the NLI model (FACTCHECK_INFERENCE_BACKEND=onnx-int8).
calibrate-int8: install
	$(BIN)/python scripts/calibrate_int8.py

eval-nli: install
	$(BIN)/python scripts/eval_nli.py

# Verdict-engine thresholds and calibration, chosen on tuning halves only (writes models/verdict-engine.json).
tune: install
	$(BIN)/python scripts/tune_verdicts.py

# The real pipeline on seed claims and the reporting halves; tables on stdout, JSON and PNGs in build/eval/.
eval: install
	$(BIN)/python scripts/eval.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
