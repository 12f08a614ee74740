#!/usr/bin/env bash
# The deployment test puts Debian's nginx in front of `sightline serve` as a TLS-terminating proxy.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's nginx-light for the deployment test..."
  # The package would start a system-wide nginx on port 80; the test runs its own instead.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
else
  echo "Note: nginx is not installed (sudo apt-get install nginx-light); the TLS proxy test will be skipped." >&2
fi
