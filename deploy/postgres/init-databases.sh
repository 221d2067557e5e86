#!/bin/bash
# Runs once, when the PostgreSQL volume is empty: one database per service, each owned by
# its own role (a service never reads another's tables). Passwords come from the
# environment of the postgres container (docker-compose.yml).
set -euo pipefail

create() {
    local name="$1" password="$2"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE otklik_${name} LOGIN PASSWORD '${password}';
CREATE DATABASE otklik_${name} OWNER otklik_${name};
SQL
}

create ingest "$INGEST_DB_PASSWORD"
create responder "$RESPONDER_DB_PASSWORD"
create alerts "$ALERTS_DB_PASSWORD"
