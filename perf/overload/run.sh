#!/usr/bin/env bash
# Overload run: 1000 concurrent connections of a mixed workload (perf/overload/mixed.lua) against the real
# service for a bounded time, in two phases:
#   A. rate limits off: only the concurrency limiter (ProofStorage:Overload) protects the service -> 503s
#   B. default rate limits on (one API key for all traffic) -> 429s
# Reports per-status counts, wrk socket errors, latency and the server's RSS (sampled every 0.5 s).
# Pinned per /work/shared/notes/benchmarking.md: server on core 0, wrk on core 1 (when there are 2+ cores).
# Usage: [PHASES=AB] bash perf/overload/run.sh [duration-seconds=20] [connections=1000]
# Needs wrk (bash scripts/install-perf-deps.sh) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DURATION="${1:-20}"
CONNECTIONS="${2:-1000}"
command -v wrk >/dev/null || bash scripts/install-perf-deps.sh
ulimit -n 65536 2>/dev/null || ulimit -n 8192 || true

dotnet build src/ProofStorage.Api -c Release -v q -nologo >/dev/null
DLL="$PWD/src/ProofStorage.Api/bin/Release/net10.0/ProofStorage.Api.dll"
WORK="$(mktemp -d /tmp/proofstorage-overload.XXXXXX)"
API_KEY="psk_overload-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HASH="$(dotnet "$DLL" hash-key "$API_KEY")"
ENC_KEY="$(head -c 32 /dev/urandom | base64)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SERVER_CPU=0; WRK_CPU=1
[[ "$(nproc)" -ge 2 ]] || WRK_CPU=0

start_server() { # $1 = rate limit enabled (true/false)
  env ASPNETCORE_ENVIRONMENT=Production \
    ProofStorage__DataPath="$WORK/data" \
    ProofStorage__Encryption__ActiveKeyId=k1 ProofStorage__Encryption__Keys__k1="$ENC_KEY" \
    ProofStorage__Auth__Keys__load__Hash="$HASH" \
    ProofStorage__Auth__Keys__load__Scopes__0=proofs:read ProofStorage__Auth__Keys__load__Scopes__1=proofs:write \
    ProofStorage__RateLimit__Enabled="$1" \
    Serilog__MinimumLevel__Default=Warning \
    taskset -c "$SERVER_CPU" dotnet "$DLL" --urls "http://127.0.0.1:$PORT" >"$WORK/server-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/server-$1.log"; exit 1
}

stop_server() {
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap 'stop_server; rm -rf "$WORK"' EXIT

seed_proofs() { # 200 proofs through two batches; ids to $WORK/ids.txt
  python3 - "$PORT" "$API_KEY" "$WORK/ids.txt" <<'PY'
import hashlib, json, sys, urllib.request
port, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
ids = []
for b in range(2):
    items = [{"imageHash": hashlib.sha256(f"overload-{b}-{i}".encode()).hexdigest(),
              "proof": {"claim": f"seed {b}-{i}", "signature": "MEUCIQ" * 200}} for i in range(100)]
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/proofs/batch", data=json.dumps({"items": items}).encode(),
                                 headers={"Content-Type": "application/json", "X-Api-Key": key})
    ids += [r["proofId"] for r in json.load(urllib.request.urlopen(req))["results"]]
open(out, "w").write("\n".join(ids) + "\n")
PY
}

run_phase() { # $1 = label, $2 = rate limit enabled
  start_server "$2"
  [[ -s "$WORK/ids.txt" ]] || seed_proofs
  local rss_file="$WORK/rss-$1.txt"; : >"$rss_file"
  ( while kill -0 "$SERVER" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" >>"$rss_file" 2>/dev/null || true; sleep 0.5; done ) &
  local sampler=$!
  local rss_before; rss_before="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")"
  echo "=== phase $1: rate limits $2, $CONNECTIONS connections, ${DURATION}s ==="
  PROOF_IDS_FILE="$WORK/ids.txt" API_KEY="$API_KEY" taskset -c "$WRK_CPU" \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s perf/overload/mixed.lua "http://127.0.0.1:$PORT" \
    | grep -E "Requests/sec|Latency|status |latency_|errors |Socket errors|requests in"
  sleep 2
  local rss_after; rss_after="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")"
  local live; live="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/live")"
  kill "$sampler" 2>/dev/null || true
  echo "rss_mb before $((rss_before / 1024)) peak $(( $(sort -n "$rss_file" | tail -1) / 1024 )) after-2s $((rss_after / 1024))"
  echo "health/live after the run: $live"
  grep -c "Overloaded" "$WORK/server-$2.log" | sed 's/^/overload warnings logged: /' || true
  stop_server
}

echo "machine: $(nproc) cores, $(uname -r), .NET $(dotnet --version); GC: server GC requested, process pinned to 1 core (runtime picks workstation GC), DATAS default"
# PHASES=A or PHASES=B runs one; ProofStorage__* variables in the environment reach the server (e.g. limits).
[[ "${PHASES:-AB}" == *A* ]] && run_phase A false
[[ "${PHASES:-AB}" == *B* ]] && run_phase B true
exit 0
