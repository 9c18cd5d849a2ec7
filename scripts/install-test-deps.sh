#!/usr/bin/env bash
# Installs the system components the test suite runs for real: a PostgreSQL
# server (started by the tests themselves on 127.0.0.1). Needs root or sudo.
set -euo pipefail
have_pg() { ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && id postgres >/dev/null 2>&1; }
if have_pg; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql >/dev/null
have_pg || { echo "PostgreSQL server binaries still missing after apt-get install" >&2; exit 1; }
