#!/usr/bin/env bash
# Installs the oracle of the Rally compatibility tests: Rally 5.1.1 from PyPI in
# a virtual environment of its own, and the pinned source releases of rally
# and rally-openstack, whose samples and jobs the tests run through both tools.
# Default place: ~/.cache/squall-tests/rally (see tests/rally/oracle.py).
set -euo pipefail
HOME_DIR="${1:-${SQUALL_RALLY_HOME:-$HOME/.cache/squall-tests/rally}}"
RALLY_VERSION=5.1.1
RALLY_OPENSTACK_VERSION=4.1.0
VENV="$HOME_DIR/venv"
SOURCES="$HOME_DIR/sources"
PYTHON="${PYTHON:-python3}"
mkdir -p "$HOME_DIR"
if ! { [ -x "$VENV/bin/rally" ] && "$VENV/bin/rally" --version 2>/dev/null | grep -q "$RALLY_VERSION"; }; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check "rally==$RALLY_VERSION" \
       > "$HOME_DIR/install.log" 2>&1; then
    grep -v "^WARNING: Location" "$HOME_DIR/install.log" >&2 || true
    rm -rf "$VENV"
    echo "Rally $RALLY_VERSION install failed" >&2
    exit 1
  fi
fi
if [ ! -d "$SOURCES/rally-$RALLY_VERSION/samples" ] || [ ! -d "$SOURCES/rally_openstack-$RALLY_OPENSTACK_VERSION/samples" ]; then
  rm -rf "$SOURCES"
  mkdir -p "$SOURCES"
  if ! "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
       -d "$SOURCES" "rally==$RALLY_VERSION" "rally-openstack==$RALLY_OPENSTACK_VERSION" \
       > "$HOME_DIR/download.log" 2>&1; then
    grep -v "^WARNING: Location" "$HOME_DIR/download.log" >&2 || true
    rm -rf "$SOURCES"
    echo "download of the rally and rally-openstack sources failed" >&2
    exit 1
  fi
  for archive in "$SOURCES"/*.tar.gz; do tar -xzf "$archive" -C "$SOURCES"; done
fi
