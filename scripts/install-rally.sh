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
# Rally's Tempest verifier (rally verify), for the verification tests: Rally with
# rally-openstack in a venv of its own (the oracle venv above stays plain Rally),
# and Tempest's source release as a local git repository, which Rally clones
# instead of opendev.org (so its verifier is created without the internet).
TEMPEST_VERSION=47.0.0
OS_VENV="$HOME_DIR/venv-openstack"
if ! { [ -x "$OS_VENV/bin/rally" ] && [ -x "$OS_VENV/bin/virtualenv" ] \
       && "$OS_VENV/bin/rally" --version 2>/dev/null | grep -q "rally-openstack: $RALLY_OPENSTACK_VERSION"; }; then
  rm -rf "$OS_VENV"
  "$PYTHON" -m venv "$OS_VENV"
  if ! "$OS_VENV/bin/pip" install --quiet --disable-pip-version-check "rally==$RALLY_VERSION" \
       "rally-openstack==$RALLY_OPENSTACK_VERSION" virtualenv > "$HOME_DIR/install-openstack.log" 2>&1; then
    grep -v "^WARNING: Location" "$HOME_DIR/install-openstack.log" >&2 || true
    rm -rf "$OS_VENV"
    echo "rally-openstack $RALLY_OPENSTACK_VERSION install failed" >&2
    exit 1
  fi
fi
TEMPEST_SOURCE="$HOME_DIR/tempest-source"
if ! git -C "$TEMPEST_SOURCE" rev-parse -q --verify "refs/tags/$TEMPEST_VERSION" > /dev/null 2>&1; then
  rm -rf "$TEMPEST_SOURCE" "$HOME_DIR/tempest-sdist"
  mkdir -p "$HOME_DIR/tempest-sdist"
  "$OS_VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$HOME_DIR/tempest-sdist" "tempest==$TEMPEST_VERSION" > "$HOME_DIR/download-tempest.log" 2>&1 \
    || { grep -v "^WARNING: Location" "$HOME_DIR/download-tempest.log" >&2; exit 1; }
  tar --no-same-owner -xzf "$HOME_DIR/tempest-sdist/tempest-$TEMPEST_VERSION.tar.gz" -C "$HOME_DIR/tempest-sdist"
  mv "$HOME_DIR/tempest-sdist/tempest-$TEMPEST_VERSION" "$TEMPEST_SOURCE"
  git -C "$TEMPEST_SOURCE" init -q
  git -C "$TEMPEST_SOURCE" add -A
  git -C "$TEMPEST_SOURCE" -c user.name=squall -c user.email=squall@localhost commit -q -m "tempest $TEMPEST_VERSION"
  git -C "$TEMPEST_SOURCE" tag "$TEMPEST_VERSION"
fi
