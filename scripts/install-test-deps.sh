#!/usr/bin/env bash
# Installs what the test suite's real backends need; safe to run again (does nothing when done).
#   - redis-server (Debian package) when it is not on PATH; its system service is not left running,
#     tests start their own: redis-server --port P --bind 127.0.0.1 --save '' --appendonly no
#   - prometheus (Debian package: the server and promtool) for the alerting-rule tests; its system service is not
#     left running, the tests start their own on a free loopback port with a config written at test time.
#   - python3-matplotlib (Debian package, for the system /usr/bin/python3, whatever python3 is first on PATH) for the
#     test that draws the perf report's charts (perf/charts.py).
#   - chromium (Debian package) for the Swagger UI browser test, driven by Playwright's bundled node driver
#     (no Playwright browser download); PROOFSTORAGE_TEST_CHROMIUM points the test at another binary.
#   - the AWS CLI (Debian package awscli, /usr/bin/aws): scrub tests check what is in a bucket with it, as a third party.
#   - the patched local S3 server: `npm ci` in tests/backends when node_modules is missing or older
#     than package-lock.json / patches/ (npm's postinstall runs patch-package to apply the patch).
#   - the C2PA toolchain (c2pa-rs as WebAssembly, c2pa-ts): `npm ci` in tests/c2pa, likewise.
#   - Redocly CLI (openapi/) and the TypeScript client's tools (clients/typescript): `npm ci`, likewise;
#     the dotnet local tools (.config/dotnet-tools.json: Kiota): `dotnet tool restore`.
# Works as root on Debian 12 with the .NET SDK and Node 20 present (uses sudo if not root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKENDS="$ROOT/tests/backends"

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

# --- redis-server -----------------------------------------------------------------------------
if command -v redis-server >/dev/null 2>&1; then
  echo "install-test-deps: redis-server present: $(redis-server --version | head -n1)"
else
  echo "install-test-deps: installing redis-server from apt"
  apt_install redis-server
  stop_service redis-server /run/redis/redis-server.pid
  command -v redis-server >/dev/null 2>&1 || { echo "install-test-deps: redis-server still missing" >&2; exit 1; }
  echo "install-test-deps: installed $(redis-server --version | head -n1)"
fi

# --- prometheus + promtool -------------------------------------------------------------------------
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "install-test-deps: prometheus present: $(prometheus --version 2>&1 | head -n1)"
else
  echo "install-test-deps: installing prometheus (server and promtool) from apt"
  apt_install prometheus
  stop_service prometheus /run/prometheus/prometheus.pid
  command -v promtool >/dev/null 2>&1 || { echo "install-test-deps: promtool still missing" >&2; exit 1; }
  echo "install-test-deps: installed $(prometheus --version 2>&1 | head -n1)"
fi

# --- python3-matplotlib --------------------------------------------------------------------------------
if /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1; then
  echo "install-test-deps: matplotlib present: $(/usr/bin/python3 -c 'import matplotlib; print(matplotlib.__version__)')"
else
  echo "install-test-deps: installing python3-matplotlib from apt"
  apt_install python3-matplotlib
  /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 || { echo "install-test-deps: /usr/bin/python3 still cannot import matplotlib" >&2; exit 1; }
  echo "install-test-deps: installed matplotlib $(/usr/bin/python3 -c 'import matplotlib; print(matplotlib.__version__)')"
fi

# --- chromium --------------------------------------------------------------------------------------------
if [[ -n "${PROOFSTORAGE_TEST_CHROMIUM:-}" ]]; then
  echo "install-test-deps: using PROOFSTORAGE_TEST_CHROMIUM=$PROOFSTORAGE_TEST_CHROMIUM"
elif [[ -x /usr/bin/chromium ]]; then
  echo "install-test-deps: chromium present: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  echo "install-test-deps: installing chromium from apt"
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || { echo "install-test-deps: /usr/bin/chromium still missing" >&2; exit 1; }
  echo "install-test-deps: installed $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
fi

# --- AWS CLI ---------------------------------------------------------------------------------
if [[ -x /usr/bin/aws ]]; then
  echo "install-test-deps: aws present: $(/usr/bin/aws --version 2>&1 | head -n1)"
else
  echo "install-test-deps: installing awscli from apt"
  apt_install awscli
  [[ -x /usr/bin/aws ]] || { echo "install-test-deps: /usr/bin/aws still missing" >&2; exit 1; }
fi

# --- npm packages (tests/backends: the patched local S3 server; tests/c2pa: the C2PA toolchain) --------
command -v node >/dev/null 2>&1 || { echo "install-test-deps: node not found (Node 20+ needed)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "install-test-deps: npm not found" >&2; exit 1; }

# npm_ci_when_stale DIR FILE WHAT: `npm ci` in DIR when DIR/node_modules/FILE is missing or the install is older than
# package.json, package-lock.json, .npmrc or patches/ (npm's postinstall applies those with patch-package).
npm_ci_when_stale() {
  local dir="$1" file="$2" what="$3"
  local stamp="$dir/node_modules/.proofstorage-npm-ci.stamp" stale="" input
  [[ -f "$stamp" && -f "$dir/node_modules/$file" ]] || stale=1
  for input in "$dir/package.json" "$dir/package-lock.json" "$dir/.npmrc" "$dir"/patches/*.patch; do
    [[ -e "$input" && "$input" -nt "$stamp" ]] && stale=1
  done
  if [[ -n "$stale" ]]; then
    echo "install-test-deps: npm ci in ${dir#"$ROOT"/} ($what)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  else
    echo "install-test-deps: ${dir#"$ROOT"/}/node_modules is up to date"
  fi
}

# npm warns EBADENGINE: @20minutes/s3rver declares node >= 24 but runs fine on Node 20.
npm_ci_when_stale "$BACKENDS" "@20minutes/s3rver/lib/cli.js" "the local S3 server, patched via patch-package"
npm_ci_when_stale "$ROOT/tests/c2pa" "@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm" "c2pa-wasm and c2pa-ts for the C2PA tests"
npm_ci_when_stale "$ROOT/openapi" "@redocly/cli/bin/cli.js" "Redocly CLI, the OpenAPI contract's linter"
npm_ci_when_stale "$ROOT/clients/typescript" "openapi-fetch/package.json" "the TypeScript client's build and test tools"

# --- dotnet tools (.config/dotnet-tools.json: Kiota, the third-party generator the contract tests build a client with) ---
(cd "$ROOT" && dotnet tool restore >/dev/null) && echo "install-test-deps: dotnet tools restored (.config/dotnet-tools.json)"
