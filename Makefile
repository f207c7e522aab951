# Gentle Hands: two commands do everything.
#   make run   set up, build the spaCy pipeline, train if anything changed, start both servers
#   make test  the same set-up, then lint, type checks, data validation, story tests and the whole
#              pytest suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
MODEL     := models/gentle-hands.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_INTRA_OP_PARALLELISM_THREADS ?= 1
export TF_INTER_OP_PARALLELISM_THREADS ?= 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning
# Training uses every core; serving stays at one thread (lower per-turn latency on 2 cores).
TRAIN_THREADS ?= $(shell nproc 2>/dev/null || echo 2)
# glibc hands TensorFlow's large freed buffers back to the kernel and page-faults them in again
# at every batch: on these machines half of training's CPU time went to the kernel (50-66%
# system time). jemalloc told never to return memory removes that (0% system time, the
# ResponseSelector's epochs about 15% faster; bench/RESULTS.md). Training only, and only where
# Debian's libjemalloc2 is installed (scripts/install_system_packages.sh adds it).
JEMALLOC := $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
                                   /usr/lib/aarch64-linux-gnu/libjemalloc.so.2))
comma := ,
TRAIN_ALLOC := $(if $(JEMALLOC),LD_PRELOAD=$(JEMALLOC) \
                 MALLOC_CONF=dirty_decay_ms:-1$(comma)muzzy_decay_ms:-1$(comma)retain:true)

# review.yml (the nurse's sign-off), menus.yml (typed button words, read by the server) and
# estimator.yml (the estimate's words, read by the
# actions) change nothing the model learns: editing them never retrains.
TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
                $(wildcard components/*.py) bot/nlp.py bot/spelling.py \
                $(filter-out bot/content/review.yml bot/content/estimator.yml bot/content/menus.yml, \
                  $(wildcard bot/content/*.yml))

.PHONY: help setup spacy triage train run test lint typecheck validate test-stories pytest clean \
        deploy-local nlu-report bench-lost-messages bench-speed bench-profile bench-topology widget \
        content-review

help:
	@echo "make run   - set up and start the bot on http://localhost:5005"
	@echo "make test  - set up and run every check and test"

# --- set-up ---------------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@scripts/make_venv.sh $(VENV)
	@touch $@

setup: $(VENV)/.installed

# The spaCy pipeline's directory carries a content hash (see bot/nlp.py). Locally config.yml is
# pointed at it and the FAQ training data regenerated; in CI both are only checked (tests/), so
# stale generated files fail the run instead of being fixed silently.
spacy: setup
	@$(PY) -m bot.nlp $(if $(CI),,--update-config) >/dev/null
	@$(if $(CI),true,$(PY) scripts/gen_faq.py)

# The red-flag classifier (bot/triage_model.py): built once per content change (a few seconds)
# into build/triage/, so the servers load it instead of training it at start-up.
triage: setup
	@$(PY) -m bot.triage_model >/dev/null

$(MODEL): $(VENV)/.installed $(TRAIN_INPUTS)
	@$(MAKE) --no-print-directory spacy
	@echo "Training the model (only when data, config, domain or the spaCy pipeline changed)..."
	TF_INTRA_OP_PARALLELISM_THREADS=$(TRAIN_THREADS) TF_INTER_OP_PARALLELISM_THREADS=$(TRAIN_THREADS) \
	  $(TRAIN_ALLOC) $(RASA) train --fixed-model-name gentle-hands --out models --quiet
	@touch $@

train: $(MODEL)

# --- the two commands -------------------------------------------------------------------------
run: train triage
	@scripts/run.sh

test: lint typecheck train triage validate test-stories pytest

# ruff's rules are in pyproject.toml; they include C90: no function over complexity 15.
lint: setup
	$(VENV)/bin/ruff check bot actions components channels deploy tests scripts bench

# mypy with [tool.mypy] from pyproject.toml, over the code that runs in production.
typecheck: setup
	$(PY) -m mypy bot actions components channels

validate: setup spacy
	$(RASA) data validate --fail-on-warnings --quiet

test-stories: train
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) \
	  --fail-on-prediction-errors --out results/stories --quiet

# Last, so pytest's summary line is the run's last word on tests.
pytest: train triage
	$(PY) -m pytest -q

# --- beyond the two commands ------------------------------------------------------------------
# The production topology on this machine: nginx, 2 Rasa replicas, PostgreSQL, Redis locks.
deploy-local: train
	@scripts/deploy_local.sh

# Measurements (not tests): each writes its section of bench/RESULTS.md.
nlu-report: train
	$(PY) bench/nlu_report.py --folds 3

bench-lost-messages: train
	$(PY) bench/lost_messages.py

# Speed and memory beside a vanilla `rasa init` bot (about 25 minutes, training included).
bench-speed: train
	$(PY) bench/speed.py

# Where one turn's time goes, stage by stage (about 1 minute).
bench-profile: train
	$(PY) bench/profile_turn.py

# Throughput through nginx and 2 replicas (needs TEST_POSTGRES_URL and TEST_REDIS_URL).
bench-topology: train
	$(PY) bench/topology_load.py

# The content review sheet for a hospice's nurse: build/content-review.html, one self-contained
# page (every answer, verdict, step and escalation beside its source passage; sign-off kept in
# bot/content/review.yml). Reads the sources from ../shared/.
content-review: setup
	$(PY) scripts/content_review.py --out build/content-review.html

# Rebuild web/dist/widget.js after changing web/src (needs Node.js and npm).
widget:
	@scripts/build_web.sh

clean:
	rm -rf build models results var/*.db .pytest_cache .ruff_cache .mypy_cache
