#!/usr/bin/env bash
# Installs the load-test tools (not needed by the normal test suite); safe to run again.
#   - wrk (HTTP load generator)
#   - nginx-light (for a caching-proxy baseline); its system service is not left running:
#     benchmarks start their own nginx with their own config.
#   - python3-matplotlib for the system /usr/bin/python3 (perf/charts.py draws the report's PNG charts)
# Works as root on Debian 12 (uses sudo if not root). Runs `apt-get update` only when installing.
set -euo pipefail

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG...: installs Debian packages without letting their services start.
apt_install() {
  local created_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # invoke-rc.d asks this file whether a package may start its service; 101 = "no"
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  } || rc=$?
  if [[ -n "$created_policy" ]]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  return "$rc"
}

# stop_service NAME PIDFILE: stops and disables a system service a package may have started.
stop_service() {
  local name="$1" pidfile="$2"
  if [[ -d /run/systemd/system ]]; then
    as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
  fi
  if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    as_root service "$name" stop >/dev/null 2>&1 || as_root kill "$(cat "$pidfile")" 2>/dev/null || true
  fi
}

have_nginx() { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
have_nginx || missing+=(nginx-light)
have_matplotlib() { /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1; }
have_matplotlib || missing+=(python3-matplotlib)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-perf-deps: wrk, nginx and matplotlib present"
  exit 0
fi

echo "install-perf-deps: installing ${missing[*]} from apt"
apt_install "${missing[@]}"
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
  stop_service nginx /run/nginx.pid
fi
command -v wrk >/dev/null 2>&1 || { echo "install-perf-deps: wrk still missing" >&2; exit 1; }
have_nginx || { echo "install-perf-deps: nginx still missing" >&2; exit 1; }
have_matplotlib || { echo "install-perf-deps: /usr/bin/python3 cannot import matplotlib" >&2; exit 1; }
echo "install-perf-deps: wrk, nginx and matplotlib installed ($(/usr/sbin/nginx -v 2>&1))"
