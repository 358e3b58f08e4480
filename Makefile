# Chorus — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv on PATH, else the one `make` installs into the user site with pip.
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif

DEMO ?= 1
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help bootstrap sync run test test-kafka lint fmt unit integration test-interop kcat promtool chromium bench asyncapi streams clean intent-report intent-model

help:
	@echo "make run      start broker, 4 services and demo traffic (DEMO=0 for none)"
	@echo "make test     lint + the whole test suite (real Tansu broker, SQLite and PostgreSQL)"
	@echo "make test-kafka  the broker-facing tests on Apache Kafka 4 (Maven Central, started by the tests), kcat interop included"
	@echo "make test-interop  only the kcat (librdkafka) interop tests, on Apache Kafka (installs kcat)"
	@echo "make promtool  install Debian's prometheus (promtool) for the tests, service not started"
	@echo "make chromium  install Debian's chromium, the browser the console's tests drive"
	@echo "make bench    the benchmark (prints a table, writes bench/results/*.json);"
	@echo "              BENCH_ARGS=\"--kafka --postgres\" also on Apache Kafka and PostgreSQL"
	@echo "make lint     ruff + mypy"
	@echo "make asyncapi regenerate docs/asyncapi.yaml (the event contract) from the schemas"
	@echo "make streams  regenerate docs/streams.md (the live streams' events) from the models"
	@echo "make intent-report   evaluate the intent classifier, rewrite docs/intent-classifier.md"
	@echo "make intent-model CORPUS=dir   import a corpus, retrain the classifier, report"

bootstrap:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
	  { echo "installing uv with pip…"; $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv; }

sync: bootstrap
	@$(UV) sync --frozen --quiet || $(UV) sync --quiet

run: sync
	@$(UV) run chorus run $(if $(filter 0,$(DEMO)),--no-demo,)

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy libs services tests bench

fmt: sync
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# The `kafka` and `interop` tests (kcat's librdkafka cannot talk to the embedded Tansu broker)
# are deselected here and run by test-kafka.
test: lint promtool chromium
	$(UV) run pytest $(PYTEST_ARGS)

# Needs java 17+ and mvn: the tests fetch Apache Kafka from Maven Central and start it.
test-kafka: sync kcat
	CHORUS_TEST_BROKER=kafka $(UV) run pytest $(PYTEST_ARGS)

unit: sync
	$(UV) run pytest -m unit $(PYTEST_ARGS)

integration: sync promtool chromium
	$(UV) run pytest -m "(integration or e2e) and not interop" $(PYTEST_ARGS)

test-interop: sync kcat
	CHORUS_TEST_BROKER=kafka $(UV) run pytest -m interop $(PYTEST_ARGS)

# Debian's kcat (librdkafka), the other Kafka client the interop tests drive.
kcat:
	@command -v kcat >/dev/null 2>&1 || { echo "installing kcat…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null; }

# Debian's chromium, the browser the console's tests drive (headless).
chromium:
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's Prometheus: promtool checks the shipped config and rules and runs the alert rules'
# unit tests; the server is started by a test against a running system. Its system service is
# kept from starting (it would take port 9090).
promtool:
	@{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || { \
	  echo "installing prometheus (promtool)…"; sh scripts/install-prometheus.sh; }

bench: sync
	$(UV) run python -m bench $(BENCH_ARGS)

asyncapi: sync
	$(UV) run chorus asyncapi

streams: sync
	$(UV) run chorus streams

intent-report: sync
	$(UV) run python -m chorus_signals.intent.report

intent-model: sync
	@test -n "$(CORPUS)" || { echo "usage: make intent-model CORPUS=/path/to/corpus"; exit 2; }
	$(UV) run python -m chorus_signals.intent.build all $(CORPUS)
	$(UV) run python -m chorus_signals.intent.tuning
	$(UV) run python -m chorus_signals.intent.report

clean:
	rm -rf var .mypy_cache .ruff_cache .hypothesis
