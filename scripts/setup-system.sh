#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and starts PostgreSQL.
#
#   chromium        browser tests of the reply-queue UI (playwright drives it)
#   prometheus      promtool (rule unit tests) and the real Prometheus (integration test)
#   docker-compose  validates docker-compose.yml offline (`docker-compose config`)
#   postgresql      the PostgreSQL half of every storage test
#
# Idempotent and non-interactive: packages already installed are skipped. Run as root
# (or via sudo); run as anyone else it only prints what is missing and exits 0.
set -euo pipefail

PACKAGES=(chromium prometheus docker-compose postgresql)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if [ "$(id -u)" -ne 0 ]; then
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "setup-system: all system packages present (${PACKAGES[*]})"
    else
        echo "setup-system: missing Debian packages: ${missing[*]}"
        echo "setup-system: run as root to install them: sudo $0"
        echo "setup-system: (tests that need them skip, naming the package)"
    fi
    exit 0
fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup-system: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "setup-system: all system packages present (${PACKAGES[*]})"
fi

# Debian's prometheus package may start a system instance on :9090; the tests start
# their own on free ports and do not need it. Leave whatever is there as it is.

# PostgreSQL: start the cluster when it is down (containers have no systemd).
if command -v pg_lsclusters >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
        if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' \
                | grep -q online; then
            echo "setup-system: starting PostgreSQL $version/main"
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        fi
    done
fi
echo "setup-system: done"
