#!/usr/bin/env bash
# Runs the whole test suite: the .NET test projects, then the TypeScript client's tests (clients/typescript, Node's
# test runner). Installs what the tests need first (redis-server, the patched local S3 server, npm and dotnet tools);
# the test fixtures start those servers themselves on free loopback ports.
# Point the fixtures at existing servers instead with PROOFSTORAGE_TEST_S3_ENDPOINT(_2) / PROOFSTORAGE_TEST_REDIS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh
dotnet build ProofStorage.sln -c Release -warnaserror

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test ProofStorage.sln -c Release --no-build "$@" 2>&1 | tee "$log" || status=$?

# The TypeScript client's suite (Node's test runner) against the service just built; its summary lines count too.
(cd clients/typescript && npm test) 2>&1 | tee -a "$log" || status=$?

# One closing line for the whole run, summed over the test assemblies and Node's summary (ℹ pass/fail/skipped).
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     /^ℹ (pass|fail|skipped|todo|cancelled) [0-9]+$/ { if ($2 == "pass") p += $3; else if ($2 == "fail" || $2 == "cancelled") f += $3; else s += $3 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
