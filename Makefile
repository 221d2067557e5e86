# Otklik — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS := ingest,sentiment,alerts,dev

.PHONY: run test test-fast lint bench train system clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

## run: start broker, the four services and the demo source; prints the UI address
run: $(STAMP)
	$(PY) scripts/run_local.py

## system: Debian packages the suite needs (chromium, prometheus, docker-compose, postgresql)
system:
	@bash scripts/setup-system.sh

## test: install what is needed, then the whole suite
test: $(STAMP) system
	$(PY) -m pytest -q

## lint: ruff and mypy
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services

## bench: pipeline throughput/latency beside a raw Kafka relay baseline (same run)
bench: $(STAMP)
	$(PY) bench/pipeline.py

## train: rebuild the shipped sentiment model from ../shared/data
train: $(STAMP)
	$(PY) -m services.sentiment.training

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
