#!/usr/bin/env bash
# Debian packages the end-to-end tests and the demo need; installs only what is missing.
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || need+=(prometheus)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "prereqs: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's service is not started here (no init system); the tests start their own.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
