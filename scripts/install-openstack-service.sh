#!/usr/bin/env bash
# Installs one OpenStack API server from PyPI, with gunicorn, in a virtual
# environment of its own (default ~/.cache/squall-tests/NAME-venv), for the
# tests' real cloud (tests/neutron.py, tests/glance.py, tests/nova.py, tests/cinder.py):
# neutron 29.0.0, glance 33.0.0, nova 34.0.0 with placement 16.0.0, cinder 29.0.0,
# heat 27.0.1 (with psycopg2: the tests run Glance, Nova, Cinder and Heat on PostgreSQL).
# Nova builds ovs from source: gcc and the Python headers must be there.
#   scripts/install-openstack-service.sh neutron|glance|nova|cinder|heat [VENV]
set -euo pipefail
NAME="$1"
case "$NAME" in
  neutron) PACKAGES=('neutron==29.0.0' 'gunicorn>=23'); PROBE=neutron-db-manage ;;
  glance) PACKAGES=('glance==33.0.0' 'gunicorn>=23' 'psycopg2-binary'); PROBE=glance-manage ;;
  nova) PACKAGES=('nova==34.0.0' 'openstack-placement==16.0.0' 'gunicorn>=23' 'psycopg2-binary'); PROBE=nova-manage ;;
  # cinder's fake volume driver lives in cinder.tests and imports fixtures.
  cinder) PACKAGES=('cinder==29.0.0' 'gunicorn>=23' 'psycopg2-binary' 'fixtures'); PROBE=cinder-manage ;;
  heat) PACKAGES=('openstack-heat==27.0.1' 'gunicorn>=23' 'psycopg2-binary'); PROBE=heat-manage ;;
  *) echo "unknown service: $NAME (neutron, glance, nova, cinder or heat)" >&2; exit 1 ;;
esac
VENV="${2:-$HOME/.cache/squall-tests/$NAME-venv}"
if [ -x "$VENV/bin/$PROBE" ] && [ -x "$VENV/bin/gunicorn" ]; then exit 0; fi
PYTHON="${PYTHON:-python3}"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}" > "$VENV.log" 2>&1; then
  grep -v "^WARNING: Location" "$VENV.log" >&2 || true
  rm -rf "$VENV"
  echo "$NAME install failed" >&2
  exit 1
fi
