#!/usr/bin/env bash
# Installs OpenStack Keystone 30.0.0 and gunicorn in a virtual environment of
# their own (default ~/.cache/squall-tests/keystone-venv): the tests and the
# OpenStack benches serve it on 127.0.0.1 (see tests/keystone.py).
set -euo pipefail
VENV="${1:-${SQUALL_KEYSTONE_VENV:-$HOME/.cache/squall-tests/keystone-venv}}"
if [ -x "$VENV/bin/keystone-manage" ] && [ -x "$VENV/bin/gunicorn" ]; then exit 0; fi
PYTHON="${PYTHON:-python3}"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
# psycopg2 lets Keystone run on PostgreSQL (several workers; see bench/bench_keystone.py).
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check 'keystone==30.0.0' 'gunicorn>=23' 'psycopg2-binary' \
     > "$VENV.log" 2>&1; then
  grep -v "^WARNING: Location" "$VENV.log" >&2 || true
  rm -rf "$VENV"
  echo "Keystone install failed" >&2
  exit 1
fi
