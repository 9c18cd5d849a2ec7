#!/usr/bin/env bash
# Installs the system components the test suite uses for real: a PostgreSQL
# server (the tests start their own on 127.0.0.1), Debian's Chromium (driven
# by Playwright for the report and portal pages) and OpenSSH's sshd (the tests
# start their own on a free port; iproute2 for network-namespace hosts; git
# for Rally's Tempest verifier, which clones its source; nginx for the HTTP
# fast path's keep-alive tests; Prometheus to scrape a running task; RabbitMQ for
# Nova and Cinder, started by the tests on their own ports), and Keystone, Neutron,
# Glance, Nova with Placement, Cinder, Heat and Rally 5.1.1 from PyPI. Needs root or sudo.
set -euo pipefail
have_pg() { ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && id postgres >/dev/null 2>&1; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_sshd() { [ -x /usr/sbin/sshd ]; }
have_ip() { command -v ip >/dev/null 2>&1; }
have_git() { command -v git >/dev/null 2>&1; }
have_nginx() { [ -x /usr/sbin/nginx ]; }
have_prometheus() { [ -x /usr/bin/prometheus ]; }
have_rabbitmq() { [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; }
missing=()
have_rabbitmq || missing+=(rabbitmq-server)
have_nginx || missing+=(nginx-light)
have_prometheus || missing+=(prometheus)
have_sshd || missing+=(openssh-server)
have_ip || missing+=(iproute2)
have_git || missing+=(git)
have_pg || missing+=(postgresql)
have_chromium || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  have_pg || { echo "PostgreSQL server binaries still missing after apt-get install" >&2; exit 1; }
  have_chromium || { echo "chromium still missing after apt-get install" >&2; exit 1; }
  have_sshd || { echo "sshd still missing after apt-get install" >&2; exit 1; }
  have_ip || { echo "ip (iproute2) still missing after apt-get install" >&2; exit 1; }
  have_git || { echo "git still missing after apt-get install" >&2; exit 1; }
  have_nginx || { echo "nginx still missing after apt-get install" >&2; exit 1; }
  have_prometheus || { echo "prometheus still missing after apt-get install" >&2; exit 1; }
  have_rabbitmq || { echo "rabbitmq-server still missing after apt-get install" >&2; exit 1; }
fi
# OpenStack Keystone, Neutron, Glance, Nova (with Placement), Cinder and Heat, each in a virtual environment
# of its own, for the OpenStack tests.
bash "$(dirname "$0")/install-keystone.sh" & keystone=$!
bash "$(dirname "$0")/install-openstack-service.sh" neutron & neutron=$!
bash "$(dirname "$0")/install-openstack-service.sh" glance & glance=$!
bash "$(dirname "$0")/install-openstack-service.sh" nova & nova=$!
bash "$(dirname "$0")/install-openstack-service.sh" cinder & cinder=$!
bash "$(dirname "$0")/install-openstack-service.sh" heat & heat=$!
wait "$keystone"; wait "$neutron"; wait "$glance"; wait "$nova"; wait "$cinder"; wait "$heat"
# Rally 5.1.1, rally-openstack and the rally / rally-openstack / tempest sources: the oracle of the
# Rally compatibility tests.
bash "$(dirname "$0")/install-rally.sh"
