#!/usr/bin/env bash
# Storing and serving a 1 MB C2PA manifest store raw (application/c2pa) against the same store as base64 in the JSON
# contract: bytes on the wire and latency (p50, p99), on the service as an operator runs it (Production, filesystem
# provider, L1 cache on), pinned like perf/run.sh (service on core 0, wrk on core 1), scenarios interleaved per round.
#   bash perf/c2pa/run.sh
# Knobs: PERF_ROUNDS=3  PERF_DURATION=10s (per run)  PERF_STORES=2000 (most answers of one store run: a disk bound)
#        PERF_CONNECTIONS=4
#        PERF_SIZE=1048576  PERF_OUT=perf/results/c2pa-<UTC date>.md
# Figures from a shared two-core machine are provisional (see /work/shared/notes/benchmarking.md for how ratios hold up).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
STAMP="$(date -u +%Y-%m-%d)"
ROUNDS="${PERF_ROUNDS:-3}"
STORES="${PERF_STORES:-2000}"
DURATION="${PERF_DURATION:-10s}"
CONNECTIONS="${PERF_CONNECTIONS:-4}"
SIZE="${PERF_SIZE:-1048576}"
OUT="${PERF_OUT:-perf/results/c2pa-$STAMP.md}"
SERVER_CORE=0
CLIENT_CORE=1

WORK="$(mktemp -d /tmp/proofstorage-c2pa-perf.XXXXXX)"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
export PERF_LUA_DIR="$ROOT/perf/load"
log() { printf '[c2pa-perf %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

SVC_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$SVC_PID" ]]; then kill "$SVC_PID" 2>/dev/null || true; wait "$SVC_PID" 2>/dev/null || true; fi
  if [[ $rc -ne 0 ]]; then log "failed (exit $rc); logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

command -v wrk >/dev/null || bash scripts/install-perf-deps.sh >"$WORK/install.log" 2>&1
log "building the service in Release"
dotnet publish src/ProofStorage.Api -c Release -o "$WORK/api" -nologo -v quiet >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

log "a $SIZE-byte manifest store, and its base64"
python3 perf/c2pa/make_store.py "$WORK/store.c2pa" "$SIZE" >"$WORK/label.txt"
base64 -w0 "$WORK/store.c2pa" >"$WORK/store.b64"

export PERF_API_KEY="psk_perf_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
HASH="$(dotnet "$WORK/api/ProofStorage.Api.dll" hash-key "$PERF_API_KEY" | grep -o 'sha256:[0-9a-fA-F]*' | head -n1)"
PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  ProofStorage__DataPath="$WORK/data" ProofStorage__Storage__Primary__Type=FileSystem ProofStorage__Storage__Primary__Path="$WORK/fs" \
  ProofStorage__Encryption__ActiveKeyId=k1 ProofStorage__Encryption__Keys__k1="$(head -c 32 /dev/urandom | base64)" \
  ProofStorage__Cache__MemorySizeLimitBytes=268435456 \
  ProofStorage__Auth__Keys__perf__Hash="$HASH" ProofStorage__Auth__Keys__perf__Scopes__0=proofs:read \
  ProofStorage__Auth__Keys__perf__Scopes__1=proofs:write ProofStorage__RateLimit__Enabled=false Serilog__MinimumLevel__Default=Warning \
  taskset -c "$SERVER_CORE" dotnet "$WORK/api/ProofStorage.Api.dll" >"$WORK/service.log" 2>&1 &
SVC_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do curl -fsS -o /dev/null "$URL/health/live" 2>/dev/null && break; sleep 0.1; done

# One proof of each kind to serve: the raw store, and the same bytes stored through the JSON contract.
post() { curl -fsS -H "X-Api-Key: $PERF_API_KEY" "$@"; }
RAW_ID="$(post -X POST "$URL/v1/proofs?imageHash=$(printf 'a%.0s' {1..64})" -H 'Content-Type: application/c2pa' --data-binary @"$WORK/store.c2pa" \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["proofId"])')"
printf '{"imageHash":"%s","proofMediaType":"application/c2pa","proof":"' "$(printf 'b%.0s' {1..64})" >"$WORK/json-body"
cat "$WORK/store.b64" >>"$WORK/json-body"; printf '"}' >>"$WORK/json-body"
JSON_ID="$(post -X POST "$URL/v1/proofs" -H 'Content-Type: application/json' --data-binary @"$WORK/json-body" \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["proofId"])')"
LABEL="$(cat "$WORK/label.txt")"
cmp <(curl -fsS "$URL/c2pa/v1/manifests/$LABEL" -H "X-Api-Key: $PERF_API_KEY") "$WORK/store.c2pa"
cmp <(curl -fsS "$URL/v1/proofs/$JSON_ID/manifest" -H "X-Api-Key: $PERF_API_KEY") "$WORK/store.c2pa"

# run SCENARIO ROUND WRK-ARGS... : one wrk run on the client core, its PERF_RESULT line tagged and kept.
run() {
  local scenario="$1" round="$2"; shift 2
  local line
  line="$(taskset -c "$CLIENT_CORE" wrk -t1 "$@" | grep '^PERF_RESULT ' | sed 's/^PERF_RESULT //')"
  [[ -n "$line" ]] || { log "$scenario: no result"; exit 1; }
  printf '%s\n' "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(scenario=sys.argv[2], round=int(sys.argv[3])); print(json.dumps(r))' \
    "$line" "$scenario" "$round")" >>"$RESULTS"
  log "$scenario round $round: $line"
}

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then order=(raw json); else order=(json raw); fi
  for kind in "${order[@]}"; do
    file="$WORK/store.c2pa"; [[ "$kind" == json ]] && file="$WORK/store.b64"
    run "store-$kind" "$round" -c "$CONNECTIONS" -d "$DURATION" --latency -s perf/c2pa/store.lua "$URL" -- "$kind" "$file" "$STORES"
  done
  for target in "get-raw-manifest|/v1/proofs/$RAW_ID/manifest" "get-raw-by-manifest-id|/c2pa/v1/manifests/$LABEL" \
      "get-json-manifest|/v1/proofs/$JSON_ID/manifest" "get-json-record|/v1/proofs/$JSON_ID" "get-json-record-gzip|/v1/proofs/$JSON_ID|gzip"; do
    IFS='|' read -r scenario path gzip <<<"$target"
    run "$scenario" "$round" -c "$CONNECTIONS" -d "$DURATION" --latency -s perf/c2pa/get.lua "$URL" -- "$path" "${gzip:-}"
  done
done

RSS_KB="$(awk '/^VmHWM:/ {print $2}' "/proc/$SVC_PID/status")"
python3 perf/c2pa/report.py "$RESULTS" "$WORK/store.c2pa" "$WORK/json-body" "$ROUNDS" "$CONNECTIONS" "$RSS_KB" \
  "$LOAD_BEFORE before, $(cut -d' ' -f1 /proc/loadavg) after the runs" >"$OUT"
cp "$RESULTS" "${OUT%.md}.jsonl"
log "wrote $OUT"
