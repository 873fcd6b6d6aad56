#!/usr/bin/env bash
# One command for the side-by-side performance report (see perf/README.md):
#   bash perf/run.sh
# Installs the tools, builds in Release, generates the corpus, runs the BenchmarkDotNet micro benchmarks, starts
# the local S3 server, nginx (proxy_cache), a bare Kestrel endpoint and the service, runs every wrk scenario
# with bounded durations (servers pinned to core 0, wrk to core 1, targets interleaved, ROUNDS rounds), stops
# everything and writes perf/results/<date>.md, its raw runs (.jsonl), the run's facts (.meta.json) and its charts (-*.png).
#
# Knobs (environment):
#   PERF_DURATION=8s     per wrk run          PERF_ROUNDS=3      rounds of the 64-connection comparisons
#   PERF_WARMUP=5s       per target warm-up   PERF_CONNECTIONS_HIGH=1000
#   PERF_WARMUP_HOT=30s  warm-up of the CPU-bound .NET targets (cached GETs, duplicate stores, the Kestrel limit): tiered
#                        JIT and dynamic PGO need tens of seconds at full load on one core to reach steady state
#   PERF_TRACKING_ROUNDS=7 extra interleaved pairs of cached GET with access tracking off / on (the 3 % line)
#   PERF_PROVIDER=auto   S3 when src/ProofStorage.Providers.S3 exists, else FileSystem (or set S3 / FileSystem)
#   PERF_SKIP_BDN=0      1 skips the micro benchmarks     PERF_L1_BUDGET=33554432 (bytes, for the RSS check)
#   PERF_DELETE_COUNT=220000 proofs seeded for the delete scenarios, the service's and (S3 provider) the direct-S3
#                        baseline's, which share them (each run deletes ids no earlier run used)
#   PERF_DRAIN_TIMEOUT=300 seconds a delete run may wait for the servers to finish the deletes still queued when it stopped
#   PERF_BODY_BUDGET=67108864 the service's in-flight body budget for the 32 x 8 MB parallel-store scenario
#   PERF_BIG_SIZE=8000000 PERF_BIG_PARALLEL=32 PERF_BIG_COUNT=64   that scenario's proofs
#   PERF_GC_GEN0_BUDGET= unset: the shipped gen-0 budget (4 MiB, System.GC.Gen0MaxBudget in the runtimeconfig); e.g.
#                        0x800000 runs every service instance with DOTNET_GCGen0MaxBudget set so (docs/operations.md)
#   PERF_OUT=perf/results/<UTC date>.md
#   PERF_SMOKE=1         a bounded smoke run (CI): 2s runs, 1 round, no micro benchmarks, 256 high connections, report
#                        to perf/results/tmp/ (git-ignored) unless PERF_OUT is set; each knob above still overrides it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STAMP="$(date -u +%Y-%m-%d)"
if [[ "${PERF_SMOKE:-0}" == 1 ]]; then
  : "${PERF_DURATION:=2s}" "${PERF_ROUNDS:=1}" "${PERF_SKIP_BDN:=1}" "${PERF_CONNECTIONS_HIGH:=256}" "${PERF_DELETE_COUNT:=80000}"
  : "${PERF_WARMUP_HOT:=2s}" "${PERF_TRACKING_ROUNDS:=2}"
  : "${PERF_OUT:=perf/results/tmp/smoke-$STAMP.md}"
fi
DURATION="${PERF_DURATION:-5s}"
ROUNDS="${PERF_ROUNDS:-3}"
# 5 s: tiered JIT and dynamic PGO need a few seconds of load before the service's hot path is at tier 1 (with 1 s the
# first round's cached GET ran at less than half of the later rounds').
WARMUP="${PERF_WARMUP:-5s}"
# Measured: with 5 s, a freshly started service served cached GETs at 19k, 39k, 44k req/s in three successive 5 s runs
# and the Kestrel limit at 33k, 60k, 70k; after 30 s both stayed flat (48k / 69k), so ratios of early rounds measured
# warm-up, not cost. Every .NET process serving a CPU-bound target gets this long a warm-up before the rounds.
WARMUP_HOT="${PERF_WARMUP_HOT:-30s}"
TRACKING_ROUNDS="${PERF_TRACKING_ROUNDS:-7}"
C_LOW=64
C_HIGH="${PERF_CONNECTIONS_HIGH:-1000}"
PROVIDER="${PERF_PROVIDER:-auto}"
SKIP_BDN="${PERF_SKIP_BDN:-0}"
L1_BUDGET="${PERF_L1_BUDGET:-33554432}"
OUT="${PERF_OUT:-perf/results/$STAMP.md}"
# Ids the delete runs use: the direct-S3 baseline deletes about 6,000 a second here and the service about 600, over five
# runs each (warm-up, three rounds, the high-connection run: 25 s), plus 1,024 per run for deletes in flight: ~175,000.
# Seeding them through the service takes about 1.2 ms each.
DELETE_COUNT="${PERF_DELETE_COUNT:-220000}"
BODY_BUDGET="${PERF_BODY_BUDGET:-67108864}"
BIG_SIZE="${PERF_BIG_SIZE:-8000000}"
BIG_PARALLEL="${PERF_BIG_PARALLEL:-32}"
BIG_COUNT="${PERF_BIG_COUNT:-64}"
DRAIN_TIMEOUT="${PERF_DRAIN_TIMEOUT:-300}"
DELETE_EXHAUSTED=0  # 1 once a delete run has used up the seeded ids
DRAIN=1  # 0: a delete run does not wait for its queued deletes (the last run on these servers)
SERVER_CORE=0
CLIENT_CORE=1
# The local S3 server runs beside wrk, not beside the service: in production the bucket is another machine, so
# the service must not steal the storage's CPU (on core 0 the cold-GET and store rows measured the two processes
# sharing one core). The direct-S3 baselines get exactly the same placement, so those ratios stay like for like.
STORAGE_CORE="${PERF_STORAGE_CORE:-$CLIENT_CORE}"
BUCKET=perf
S3_PREFIX="perf-service/"

if [[ "$PROVIDER" == auto ]]; then
  if [[ -d src/ProofStorage.Providers.S3 ]]; then PROVIDER=S3; else PROVIDER=FileSystem; fi
fi

WORK="$(mktemp -d /tmp/proofstorage-perf.XXXXXX)"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
export PERF_LUA_DIR="$ROOT/perf/load"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log() { printf '[perf %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- process bookkeeping: every child we start is recorded and stopped by its pid ---------------------------
PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  local rc=$?
  stop_all
  if [[ $rc -ne 0 ]]; then log "failed (exit $rc); logs kept in $WORK"; else rm -rf "$WORK/s3" "$WORK"/*-data "$WORK/fs" "$WORK/nginx/cache"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

wait_http() { # URL NAME
  local i
  for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "$2 did not answer $1; its log:"; tail -n 30 "$WORK/$2.log" >&2 || true
  if [[ -f "$WORK/$2/error.log" ]]; then tail -n 5 "$WORK/$2/error.log" >&2; fi
  return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# settled_rss_kb PID: the process's RSS once it has stopped moving (the last 7 reads, 0.5 s apart, within 256 kB from
# lowest to highest; at most 40 s, then the last read with a warning). A .NET process goes on compiling for seconds after
# its load stops (tiered JIT; after a fill, 5 to 9 MiB of code and compiler memory arrived 1 to 4 s after the last
# request), so a read at a fixed delay landed before or after that by chance: the L1 growth of one build read 1.04 to
# 1.51 x the budget.
settled_rss_kb() {
  local pid="$1" now
  local -a window=()
  for _ in $(seq 1 80); do
    now="$(rss_kb "$pid")"
    window+=("$now")
    if (( ${#window[@]} > 7 )); then window=("${window[@]:1}"); fi
    if (( ${#window[@]} == 7 )) && (( $(printf '%s\n' "${window[@]}" | sort -n | tail -n1) - $(printf '%s\n' "${window[@]}" | sort -n | head -n1) <= 256 )); then
      echo "$now"
      return 0
    fi
    sleep 0.5
  done
  log "WARNING: RSS of pid $pid still moving after 40 s; using the last read" >&2
  echo "$now"
}

# --- 1. tools and builds ---------------------------------------------------------------------------------------
log "installing tools (S3 server, wrk, nginx-light)"
bash scripts/install-test-deps.sh >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; exit 1; }
bash scripts/install-perf-deps.sh >>"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

log "building in Release"
dotnet publish src/ProofStorage.Api -c Release -o "$WORK/api" -nologo -v quiet >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet publish perf/ProofStorage.Perf.Kestrel -c Release -o "$WORK/kestrel" -nologo -v quiet >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build perf/ProofStorage.Benchmarks -c Release -nologo -v quiet >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
TOOL=(dotnet "$ROOT/perf/ProofStorage.Benchmarks/bin/Release/net10.0/ProofStorage.Benchmarks.dll")

# --- 2. corpus and compression -------------------------------------------------------------------------------
log "generating the corpus"
"${TOOL[@]}" corpus --out "$WORK/corpus" --per-class 40 >"$WORK/corpus.log"

# --- 3. micro benchmarks (before any server runs, on the client core) ---------------------------------------
if [[ "$SKIP_BDN" != 1 ]]; then
  log "BenchmarkDotNet (short in-process job)"
  (cd "$WORK" && taskset -c "$CLIENT_CORE" "${TOOL[@]}" bench --filter '*' --exporters github --artifacts "$WORK/bdn" >"$WORK/bdn.log" 2>&1) \
    || { tail -n 40 "$WORK/bdn.log" >&2; exit 1; }
fi

# --- 4. servers --------------------------------------------------------------------------------------------------
log "starting the S3 server"
mkdir -p "$WORK/s3"
NODE_OPTIONS=--openssl-legacy-provider taskset -c "$STORAGE_CORE" node tests/backends/start-s3rver.js \
  -d "$WORK/s3" -a 127.0.0.1 -p 0 --configure-bucket "$BUCKET" --allow-mismatched-signatures -s >"$WORK/s3.log" 2>&1 &
PIDS+=($!)
S3_PID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/s3.log" 2>/dev/null && break; sleep 0.1; done
S3_PORT="$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/s3.log" | head -n1 | sed 's/.*://')"
[[ -n "$S3_PORT" ]] || { cat "$WORK/s3.log" >&2; exit 1; }
S3_URL="http://127.0.0.1:$S3_PORT"

KEY="$(head -c 32 /dev/urandom | base64)"
# Production refuses to start without an API key (docs/security.md): one key with every scope the harness uses.
export PERF_API_KEY="psk_perf_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
API_KEY_HASH="$(dotnet "$WORK/api/ProofStorage.Api.dll" hash-key "$PERF_API_KEY" | grep -o 'sha256:[0-9a-fA-F]*' | head -n1)"
[[ -n "$API_KEY_HASH" ]] || { log "could not hash the API key"; exit 1; }
# start_service NAME L1_BYTES [VAR=VALUE...] → sets SVC_PORT and SVC_PID (and appends the pid to PIDS); the extra
# settings are passed to the service's environment
start_service() {
  local name="$1" budget="$2" port
  local -a extra=("${@:3}")
  port="$(free_port)"
  local -a storage
  if [[ "$PROVIDER" == S3 ]]; then
    # Options as documented in docs/providers.md (S3 section).
    storage=(ProofStorage__Storage__Primary__Type=S3
      ProofStorage__Storage__Primary__ServiceUrl="$S3_URL"
      ProofStorage__Storage__Primary__Bucket="$BUCKET"
      ProofStorage__Storage__Primary__KeyPrefix="$S3_PREFIX"
      ProofStorage__Storage__Primary__AccessKeyId=S3RVER
      ProofStorage__Storage__Primary__SecretAccessKey=S3RVER
      ProofStorage__Storage__Primary__Region=us-east-1
      ProofStorage__Storage__Primary__ForcePathStyle=true)
  else
    storage=(ProofStorage__Storage__Primary__Type=FileSystem ProofStorage__Storage__Primary__Path="$WORK/fs")
  fi
  env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    ProofStorage__DataPath="$WORK/$name-data" \
    ProofStorage__Encryption__ActiveKeyId=k1 ProofStorage__Encryption__Keys__k1="$KEY" \
    ProofStorage__Cache__MemorySizeLimitBytes="$budget" \
    ProofStorage__Auth__Keys__perf__Hash="$API_KEY_HASH" ProofStorage__Auth__Keys__perf__Scopes__0=proofs:read \
    ProofStorage__Auth__Keys__perf__Scopes__1=proofs:write ProofStorage__Auth__Keys__perf__Scopes__2=admin \
    ProofStorage__Auth__Keys__perf__Scopes__3=proofs:delete \
    ProofStorage__RateLimit__Enabled=false \
    Serilog__MinimumLevel__Default=Warning \
    ${PERF_GC_GEN0_BUDGET:+DOTNET_GCGen0MaxBudget="$PERF_GC_GEN0_BUDGET"} \
    "${storage[@]}" ${extra[@]+"${extra[@]}"} \
    taskset -c "$SERVER_CORE" dotnet "$WORK/api/ProofStorage.Api.dll" >"$WORK/$name.log" 2>&1 &
  SVC_PID=$!
  PIDS+=("$SVC_PID")
  SVC_PORT="$port"
  wait_http "http://127.0.0.1:$port/health/live" "$name"
}

log "starting the service ($PROVIDER provider): read instance (64 MB L1), tracked instance (the same with access tracking on) and cold instance (L1 off)"
start_service read 67108864
READ_PORT="$SVC_PORT"; READ_PID="$SVC_PID"
# Access tracking at its defaults (flushed every 10 s; without Redis to the provider): what a cached GET costs with it
# on is the tracked instance's cached GET against the read instance's, in the same rounds.
start_service tracked 67108864 ProofStorage__AccessTracking__Enabled=true
TRACKED_PORT="$SVC_PORT"; TRACKED_PID="$SVC_PID"
TRACKED_URL="http://127.0.0.1:$TRACKED_PORT"
start_service cold 1
COLD_PORT="$SVC_PORT"; COLD_PID="$SVC_PID"
READ_URL="http://127.0.0.1:$READ_PORT"
COLD_URL="http://127.0.0.1:$COLD_PORT"

log "seeding 200 proofs of the 4 KB class"
SEED_ARGS=(--url "$READ_URL" --corpus "$WORK/corpus" --class 4k --count 200 --out "$WORK/seed" --s3 "$S3_URL/$BUCKET")
if [[ "$PROVIDER" == S3 ]]; then SEED_ARGS+=(--s3-proof-prefix "$S3_PREFIX"); fi
"${TOOL[@]}" seed "${SEED_ARGS[@]}" >"$WORK/seed.log"
STORED_BYTES="$(cat "$WORK/seed/stored-bytes.txt")"

log "seeding 40 proofs of the 64 KB class (the second cached-GET comparison)"
SEED64_ARGS=(--url "$READ_URL" --corpus "$WORK/corpus" --class 64k --count 40 --out "$WORK/seed64" --s3 "$S3_URL/$BUCKET")
if [[ "$PROVIDER" == S3 ]]; then SEED64_ARGS+=(--s3-proof-prefix "$S3_PREFIX"); fi
"${TOOL[@]}" seed "${SEED64_ARGS[@]}" >"$WORK/seed64.log"
# The Kestrel baseline serves every record of one folder.
cp "$WORK"/seed64/records/*.json "$WORK/seed/records/"

log "seeding $DELETE_COUNT proofs for the delete scenarios"
"${TOOL[@]}" seed --url "$COLD_URL" --corpus "$WORK/corpus" --class 4k --count "$DELETE_COUNT" --out "$WORK/seed-delete" --ids-only true >"$WORK/seed-delete.log"
export PERF_DELETE_CURSOR="$WORK/delete-cursor"
echo 0 >"$PERF_DELETE_CURSOR"

log "starting the Kestrel limit and nginx proxy_cache"
KESTREL_PORT="$(free_port)"
taskset -c "$SERVER_CORE" dotnet "$WORK/kestrel/ProofStorage.Perf.Kestrel.dll" --records "$WORK/seed/records" \
  --urls "http://127.0.0.1:$KESTREL_PORT" >"$WORK/kestrel.log" 2>&1 &
PIDS+=($!)
KESTREL_PID=$!
wait_http "http://127.0.0.1:$KESTREL_PORT/v1/proofs/$(head -n1 "$WORK/seed/ids.txt")" kestrel

NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx/cache" "$WORK/nginx/tmp"
# As root, nginx would switch its worker to an unprivileged user that cannot enter the private temp dir.
NGINX_USER=""
if [[ "$(id -u)" -eq 0 ]]; then NGINX_USER="user root;"; fi
cat >"$WORK/nginx/nginx.conf" <<EOF
$NGINX_USER
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=proofs:16m max_size=1g inactive=60m use_temp_path=off;
  upstream s3 { server 127.0.0.1:$S3_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location /v1/proofs/ {
      proxy_pass http://s3/$BUCKET/records/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # The S3 server reads the bucket from the path only when Host is its own address (else: virtual-host style).
      proxy_set_header Host 127.0.0.1:$S3_PORT;
      proxy_cache proofs;
      proxy_cache_valid 200 60m;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires Set-Cookie;
    }
  }
}
EOF
taskset -c "$SERVER_CORE" "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/v1/proofs/$(head -n1 "$WORK/seed/ids.txt")" nginx
# The worker inherits the master's affinity; pin every thread again in case nginx reset it.
taskset -a -p -c "$SERVER_CORE" "$NGINX_PID" >/dev/null
for child in $(pgrep -P "$NGINX_PID" || true); do taskset -a -p -c "$SERVER_CORE" "$child" >/dev/null; done

# --- 5. scenarios ------------------------------------------------------------------------------------------------
IDS="$WORK/seed/ids.txt"
IDS64="$WORK/seed64/ids.txt"
DELETE_IDS="$WORK/seed-delete/ids.txt"
HASHES="$WORK/seed/hashes.txt"
PROOF="$WORK/corpus/proof-4k.json"
S3_PATHS="$WORK/seed/s3-get-paths.txt"

provider_puts() { # URL → "provider writes, L1 hits, L1 misses" of that instance
  # Right after a run the service may still be draining queued requests and shed this one with 503: retry.
  curl -fsS --retry 30 --retry-delay 1 -H "X-Api-Key: $PERF_API_KEY" "$1/v1/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); m=d["cache"]["levels"][0]; print(sum(p.get("puts",0) for p in d.get("storage",[])), m.get("hits",0), m.get("misses",0))'
}

# scenario NAME → "URL PID SCRIPT ARGS..." (which server, which process to sample, which wrk script)
scenario() {
  case "$1" in
    svc-get-cached) echo "$READ_URL $READ_PID get.lua $IDS /v1/proofs/" ;;
    svc-get-cached-64k) echo "$READ_URL $READ_PID get.lua $IDS64 /v1/proofs/" ;;
    kestrel-get-64k) echo "http://127.0.0.1:$KESTREL_PORT $KESTREL_PID get.lua $IDS64 /v1/proofs/" ;;
    nginx-get-64k)  echo "http://127.0.0.1:$NGINX_PORT $NGINX_PID get.lua $IDS64 /v1/proofs/" ;;
    svc-delete)     echo "$COLD_URL $COLD_PID delete.lua $DELETE_IDS" ;;
    # The same seeded proofs' objects, deleted directly (anonymous DELETE): what the S3 server's own DELETE costs, run
    # in the same rounds on the same folder, so the service's delete is judged against it.
    s3-delete)      echo "$S3_URL $S3_PID delete.lua $DELETE_IDS /$BUCKET/${S3_PREFIX}proofs/" ;;
    svc-get-tracked) echo "$TRACKED_URL $TRACKED_PID get.lua $IDS /v1/proofs/" ;;
    # The tracking pair: the same two instances as svc-get-cached / svc-get-tracked, in their own rounds.
    track-off)      echo "$READ_URL $READ_PID get.lua $IDS /v1/proofs/" ;;
    track-on)       echo "$TRACKED_URL $TRACKED_PID get.lua $IDS /v1/proofs/" ;;
    kestrel-get)    echo "http://127.0.0.1:$KESTREL_PORT $KESTREL_PID get.lua $IDS /v1/proofs/" ;;
    # The same duplicate-store requests as svc-store-dup, answered by the Kestrel limit: read the body, check the JSON,
    # answer. Its ratio to kestrel-get is what a duplicate can cost against a GET in ASP.NET Core at all.
    kestrel-dup)    echo "http://127.0.0.1:$KESTREL_PORT $KESTREL_PID store-dup.lua $HASHES $PROOF" ;;
    nginx-get)      echo "http://127.0.0.1:$NGINX_PORT $NGINX_PID get.lua $IDS /v1/proofs/" ;;
    svc-get-cold)   echo "$COLD_URL $COLD_PID get.lua $IDS /v1/proofs/" ;;
    s3-get)         echo "$S3_URL $S3_PID get.lua $S3_PATHS" ;;
    svc-store-new)  echo "$COLD_URL $COLD_PID store-new.lua $PROOF" ;;
    # Into the folder the service stores into: in one run the service's store p50 went from 52 ms to 77-103 ms once
    # the delete runs had deleted tens of thousands of its objects, while PUTs into a folder of their own took 39-54 ms.
    s3-put)         echo "$S3_URL $S3_PID s3-put.lua /$BUCKET/${S3_PREFIX}proofs $STORED_BYTES" ;;
    svc-store-dup)  echo "$READ_URL $READ_PID store-dup.lua $HASHES $PROOF" ;;
    # The mix runs as two wrk processes at once, so the GETs' latency is measured on its own: 90 % of the connections
    # read cached proofs (this row), 10 % store new ones (svc-mix-90-10-stores, recorded from the second process).
    svc-mix-90-10)  echo "$READ_URL $READ_PID get.lua $IDS /v1/proofs/" ;;
    svc-mix-90-10-stores) echo "$READ_URL $READ_PID store-new.lua $PROOF" ;;
    svc-batch-100)  echo "$COLD_URL $COLD_PID batch.lua $PROOF 100" ;;
  esac
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wait_idle PID...: until each process used at most 10 % of a core over two consecutive half seconds (at most
# DRAIN_TIMEOUT seconds in all). wrk stops with a request in flight per connection, and the S3 server goes on with
# the deletes among them; the next run must not measure a server still busy with them.
wait_idle() {
  local deadline=$((SECONDS + DRAIN_TIMEOUT)) pid before after quiet
  for pid in "$@"; do
    before="$(cpu_ticks "$pid")"; quiet=0
    while (( quiet < 2 )); do
      if (( SECONDS >= deadline )); then log "pid $pid still busy after ${DRAIN_TIMEOUT}s; going on"; return 0; fi
      sleep 0.5
      after="$(cpu_ticks "$pid")"
      if (( after - before <= $(getconf CLK_TCK) / 20 )); then quiet=$((quiet + 1)); else quiet=0; fi
      before="$after"
    done
  done
}

# record_line RESULT_JSON NAME CONNECTIONS ROUND PID STATS_BEFORE STATS_AFTER WRK_CONNECTIONS → one line of $RESULTS
record_line() {
  python3 - "$1" "$2" "$3" "$4" "$(rss_kb "$5")" "$(hwm_kb "$5")" "$6" "$7" "$8" >>"$RESULTS" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
r.update(name=sys.argv[2], connections=int(sys.argv[3]), wrk_connections=int(sys.argv[9]), round=sys.argv[4], rss_kb=int(sys.argv[5] or 0), hwm_kb=int(sys.argv[6] or 0))
if sys.argv[7]:
    before, after = [int(x) for x in sys.argv[7].split()], [int(x) for x in sys.argv[8].split()]
    r["provider_puts"] = after[0] - before[0]
    r["l1_hits"], r["l1_misses"] = after[1] - before[1], after[2] - before[2]
print(json.dumps(r))
PY
}

# run NAME CONNECTIONS DURATION ROUND [record]
run() {
  local name="$1" conns="$2" duration="$3" round="$4" record="${5:-record}"
  read -r url pid script args <<<"$(scenario "$name")"
  local puts_before="" puts_after="" mix_pid="" mix_out=""
  if [[ "$name" == svc-* ]]; then puts_before="$(provider_puts "$url")"; fi
  local line
  # shellcheck disable=SC2086
  # A batch request carries 100 stores: run it at 1/64 of the connections so the stores in flight
  # (100 × connections) stay in the range of the other scenarios instead of 100 × more.
  local wrk_conns="$conns"
  if [[ "$name" == svc-batch-100 ]]; then wrk_conns=$(( conns / 64 > 0 ? conns / 64 : 1 )); fi
  if [[ "$name" == svc-mix-90-10 ]]; then
    local store_conns=$(( conns / 10 > 0 ? conns / 10 : 1 ))
    wrk_conns=$(( conns - store_conns ))
    read -r _ _ store_script store_args <<<"$(scenario svc-mix-90-10-stores)"
    mix_out="$WORK/mix-stores.$$.out"
    # shellcheck disable=SC2086
    taskset -c "$CLIENT_CORE" wrk -t1 -c"$store_conns" -d"$duration" --timeout 10s --latency -s "$PERF_LUA_DIR/$store_script" "$url" -- $store_args \
      >"$mix_out" 2>>"$WORK/wrk.stderr" &
    mix_pid=$!
  fi
  line="$(taskset -c "$CLIENT_CORE" wrk -t1 -c"$wrk_conns" -d"$duration" --timeout 10s --latency -s "$PERF_LUA_DIR/$script" "$url" -- $args \
    2>>"$WORK/wrk.stderr" | tee -a "$WORK/wrk.log" | sed -n 's/^PERF_RESULT //p')"
  local mix_line=""
  if [[ -n "$mix_pid" ]]; then
    wait "$mix_pid" || true
    mix_line="$(sed -n 's/^PERF_RESULT //p' "$mix_out")"
    rm -f "$mix_out"
  fi
  [[ -n "$line" ]] || { log "wrk gave no result for $name"; tail -n 5 "$WORK/wrk.stderr" >&2; return 1; }
  if [[ "$name" == *-delete && "$DRAIN" == 1 ]]; then
    local drain_start=$SECONDS
    wait_idle "$pid" "$S3_PID"
    log "$name: the servers finished the deletes still queued at the end of the run in $((SECONDS - drain_start)) s"
  fi
  if [[ "$name" == *-delete ]] && (( $(cat "$PERF_DELETE_CURSOR") - ${PERF_DELETE_INFLIGHT:-1024} > DELETE_COUNT )); then
    # delete.lua wraps around: past the seeded ids it asks for deleted ones again, and each answers 404 (an error).
    log "WARNING: $name ran out of the $DELETE_COUNT seeded proofs: its errors are ids deleted before; raise PERF_DELETE_COUNT"
    DELETE_EXHAUSTED=1
  fi
  if [[ "$name" == svc-* ]]; then puts_after="$(provider_puts "$url")"; fi
  if [[ "$record" == record ]]; then
    record_line "$line" "$name" "$conns" "$round" "$pid" "$puts_before" "$puts_after" "$wrk_conns"
    if [[ -n "$mix_line" ]]; then
      record_line "$mix_line" svc-mix-90-10-stores "$conns" "$round" "$pid" "" "" "$(( conns - wrk_conns ))"
    fi
  fi
  log "$(printf '%-15s c=%-4s round %-6s ' "$name" "$conns" "$round")$(echo "$line" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%9.0f req/s  p50 %.2f ms  p99 %.2f ms  errors %d" % (r["rps"], r["p50_us"]/1000, r["p99_us"]/1000, r["errors"]))')"
}

ALL=(svc-get-cached svc-get-tracked kestrel-get nginx-get svc-get-cached-64k kestrel-get-64k nginx-get-64k svc-get-cold s3-get svc-store-new s3-put
  svc-store-dup kestrel-dup svc-mix-90-10 svc-batch-100 svc-delete)
# The direct-S3 DELETE baseline deletes the service's own proof objects, which are on the S3 server only with it as provider.
if [[ "$PROVIDER" == S3 ]]; then ALL+=(s3-delete); fi

HOT=(svc-get-cached svc-get-tracked kestrel-get svc-get-cached-64k kestrel-get-64k svc-store-dup kestrel-dup)
log "warm-up ($WARMUP per target, $WARMUP_HOT for ${HOT[*]})"
for name in "${ALL[@]}"; do
  if [[ " ${HOT[*]} " == *" $name "* ]]; then run "$name" "$C_LOW" "$WARMUP_HOT" warmup skip; else run "$name" "$C_LOW" "$WARMUP" warmup skip; fi
done

log "$ROUNDS interleaved rounds at $C_LOW connections, $DURATION each"
for round in $(seq 1 "$ROUNDS"); do
  order=("${ALL[@]}")
  if (( round % 2 == 0 )); then
    order=(); for (( i=${#ALL[@]}-1; i>=0; i-- )); do order+=("${ALL[$i]}"); done
  fi
  for name in "${order[@]}"; do run "$name" "$C_LOW" "$DURATION" "$round"; done
done

# What access tracking costs is a few percent at most, within the spread of three rounds: it gets its own rounds of
# the two instances side by side (order alternating), and the report takes the median of the per-round ratios.
log "$TRACKING_ROUNDS rounds of cached GET with access tracking off / on, $DURATION each"
for round in $(seq 1 "$TRACKING_ROUNDS"); do
  if (( round % 2 == 1 )); then pair=(track-off track-on); else pair=(track-on track-off); fi
  for name in "${pair[@]}"; do run "$name" "$C_LOW" "$DURATION" "t$round"; done
done

log "$C_HIGH connections, $DURATION each"
for name in "${ALL[@]}"; do
  # The servers stop after the last run: its queued deletes (minutes of them at this count) need no waiting for.
  if [[ "$name" == "${ALL[-1]}" ]]; then DRAIN=0; fi
  run "$name" "$C_HIGH" "$DURATION" high
done

SERVICE_GC="$(grep -o 'ServerGC=[A-Za-z]*, processors=[0-9]*' "$WORK/kestrel.log" | head -n1 || true)"
stop_all

# --- 6. L1 budget: RSS growth after writing 4x the budget ------------------------------------------------------
log "L1 budget check: $L1_BUDGET bytes, writing 4x through a fresh instance"
if [[ "$PROVIDER" == S3 ]]; then
  rm -rf "$WORK/s3"; mkdir -p "$WORK/s3"
  NODE_OPTIONS=--openssl-legacy-provider taskset -c "$STORAGE_CORE" node tests/backends/start-s3rver.js \
    -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --configure-bucket "$BUCKET" --allow-mismatched-signatures -s >"$WORK/s3-l1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/s3-l1.log" 2>/dev/null && break; sleep 0.1; done
fi
start_service l1 "$L1_BUDGET"
L1_PORT="$SVC_PORT"; L1_PID="$SVC_PID"
L1_URL="http://127.0.0.1:$L1_PORT"
# RSS of the instance every 0.2 s through both fills, for the chart (milliseconds since sampling began, kB).
RSS_SAMPLES="$WORK/l1-rss.txt"
RSS_T0="$(date +%s%N)"
since_t0_ms() { echo $(( ($(date +%s%N) - RSS_T0) / 1000000 )); }
( while kill -0 "$L1_PID" 2>/dev/null; do echo "$(since_t0_ms) $(rss_kb "$L1_PID")"; sleep 0.2; done ) >"$RSS_SAMPLES" &
RSS_SAMPLER=$!
# Code warm-up, so the tiered JIT has compiled what the fill runs before the first read, and the L1 ends empty: three
# rounds of 2x the budget stored (the L1 fills and evicts), then every proof deleted (from the L1 and from the
# provider), each round followed by a 2 s pause. The pauses are what matter: the runtime promotes a method to its next
# tier (tier 0, instrumented, tier 1) only after a call-counting delay free of first-time compilations, 100 ms and 10x
# that on a process that sees one CPU; under continuous load the delay kept being extended, so after one unpaused
# warm-up about 4,000 methods were promoted in the first seconds of the measured fill (about 5.6 MiB of code; counted
# with DOTNET_JitStdOutFile and DOTNET_JitDisasmSummary=1); after these rounds, about 900. Then the warm-up fill of 1/8
# of the budget, which stays.
CODE_WARM_START="$(since_t0_ms)"
for _ in 1 2 3; do
  "${TOOL[@]}" fill --url "$L1_URL" --corpus "$WORK/corpus" --class 64k --bytes $((L1_BUDGET * 2)) --parallel 4 --delete end >>"$WORK/fill-code.log"
  sleep 2
done
CODE_WARM_END="$(since_t0_ms)"
WARM_START="$(since_t0_ms)"
"${TOOL[@]}" fill --url "$L1_URL" --corpus "$WORK/corpus" --class 64k --bytes $((L1_BUDGET / 8)) --parallel 4 >"$WORK/fill-warm.log"
WARM_END="$(since_t0_ms)"
L1_BEFORE="$(settled_rss_kb "$L1_PID")"
L1_STATS_BEFORE="$(curl -fsS -H "X-Api-Key: $PERF_API_KEY" "$L1_URL/v1/stats")"
FILL_START="$(since_t0_ms)"
"${TOOL[@]}" fill --url "$L1_URL" --corpus "$WORK/corpus" --class 64k --bytes $((L1_BUDGET * 4)) --parallel 4 >"$WORK/fill.log"
FILL_END="$(since_t0_ms)"
L1_AFTER="$(settled_rss_kb "$L1_PID")"
L1_PEAK="$(hwm_kb "$L1_PID")"
L1_STATS="$(curl -fsS -H "X-Api-Key: $PERF_API_KEY" "$L1_URL/v1/stats")"
kill "$RSS_SAMPLER" 2>/dev/null || true
wait "$RSS_SAMPLER" 2>/dev/null || true
L1_RSS="$(python3 - "$RSS_SAMPLES" "$WARM_START" "$WARM_END" "$FILL_START" "$FILL_END" "$CODE_WARM_START" "$CODE_WARM_END" <<'PY'
import json, sys
samples = [[int(t), int(kb)] for t, kb in (line.split() for line in open(sys.argv[1]) if len(line.split()) == 2)]
print(json.dumps({"samples": samples, "warm": [int(sys.argv[2]), int(sys.argv[3])], "fill": [int(sys.argv[4]), int(sys.argv[5])],
                  "code_warm": [int(sys.argv[6]), int(sys.argv[7])]}))
PY
)"
kill "$L1_PID" 2>/dev/null || true
wait "$L1_PID" 2>/dev/null || true

# --- 6b. peak RSS serving cached GETs (a fresh instance that does nothing else), against the Kestrel baseline's ----
log "peak RSS of a fresh instance serving cached GETs"
start_service rssget 67108864
RSS_URL="http://127.0.0.1:$SVC_PORT"; RSS_PID="$SVC_PID"
"${TOOL[@]}" seed --url "$RSS_URL" --corpus "$WORK/corpus" --class 4k --count 200 --out "$WORK/seed-rss" --ids-only true >"$WORK/seed-rss.log"
taskset -c "$CLIENT_CORE" wrk -t1 -c"$C_LOW" -d"$WARMUP" -s "$PERF_LUA_DIR/get.lua" "$RSS_URL" -- "$WORK/seed-rss/ids.txt" /v1/proofs/ >/dev/null 2>>"$WORK/wrk.stderr"
taskset -c "$CLIENT_CORE" wrk -t1 -c"$C_LOW" -d"$DURATION" -s "$PERF_LUA_DIR/get.lua" "$RSS_URL" -- "$WORK/seed-rss/ids.txt" /v1/proofs/ >/dev/null 2>>"$WORK/wrk.stderr"
RSS_GET_HWM="$(hwm_kb "$RSS_PID")"
kill "$RSS_PID" 2>/dev/null || true
wait "$RSS_PID" 2>/dev/null || true

# --- 6c. memory under large bodies: BIG_PARALLEL stores of BIG_SIZE proofs at once, L1 off ---------------------
log "$BIG_COUNT stores of $BIG_SIZE B, $BIG_PARALLEL at a time (in-flight body budget $BODY_BUDGET)"
start_service big 1 ProofStorage__Overload__MaxInFlightBodyBytes="$BODY_BUDGET"
BIG_URL="http://127.0.0.1:$SVC_PORT"; BIG_PID="$SVC_PID"
sleep 1
BIG_COLD="$(rss_kb "$BIG_PID")"
# Idle is that of an instance that has stored once: two stores one at a time load the provider's SDK and compile the
# store path (~25 MiB with the S3 SDK, a one-off that does not grow with the budget), then the 32 at a time are measured.
"${TOOL[@]}" bulk --url "$BIG_URL" --size "$BIG_SIZE" --parallel 1 --count 2 >/dev/null
BIG_IDLE="$(settled_rss_kb "$BIG_PID")"
BIG_RESULT="$("${TOOL[@]}" bulk --url "$BIG_URL" --size "$BIG_SIZE" --parallel "$BIG_PARALLEL" --count "$BIG_COUNT")"
BIG_PEAK="$(hwm_kb "$BIG_PID")"
BIG_AFTER="$(rss_kb "$BIG_PID")"
stop_all

# --- 7. report ---------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
cat >"$WORK/meta.json" <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "provider": "$PROVIDER", "duration": "$DURATION", "rounds": $ROUNDS,
 "warmup": "$WARMUP", "warmup_hot": "$WARMUP_HOT", "tracking_rounds": $TRACKING_ROUNDS, "c_low": $C_LOW, "c_high": $C_HIGH, "stored_bytes": $STORED_BYTES,
 "record_bytes": $(wc -c <"$(ls "$WORK"/seed/records/*.json | head -n1)"),
 "gc": "$SERVICE_GC", "gen0_budget": "${PERF_GC_GEN0_BUDGET:-}", "l1_budget": $L1_BUDGET, "l1_before_kb": $L1_BEFORE, "l1_after_kb": $L1_AFTER, "l1_peak_kb": $L1_PEAK,
 "l1_stats": $L1_STATS, "l1_stats_before": $L1_STATS_BEFORE, "fill": "$(cat "$WORK/fill.log")", "l1_rss": $L1_RSS,
 "rss_get_hwm_kb": $RSS_GET_HWM, "body_budget": $BODY_BUDGET, "big_size": $BIG_SIZE, "big_parallel": $BIG_PARALLEL, "big_count": $BIG_COUNT,
 "big_cold_kb": $BIG_COLD, "big_idle_kb": $BIG_IDLE, "big_peak_kb": $BIG_PEAK, "big_after_kb": $BIG_AFTER, "big_result": "$BIG_RESULT", "delete_count": $DELETE_COUNT, "delete_exhausted": $DELETE_EXHAUSTED,
 "loadavg": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "machine": "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)",
 "dotnet": "$(dotnet --version)", "wrk": "$(wrk -v 2>&1 | head -n1 | xargs)", "nginx": "$("$NGINX" -v 2>&1 | sed 's/.*: //')",
 "commit": "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src perf || echo '+dirty')"}
EOF
BDN_MD=""
if [[ -d "$WORK/bdn/results" ]]; then BDN_MD="$WORK/bdn/results"; fi
# PERF_BDN_RESULTS: use BenchmarkDotNet results from an earlier run of this script (with PERF_SKIP_BDN=1).
if [[ -n "${PERF_BDN_RESULTS:-}" ]]; then BDN_MD="$PERF_BDN_RESULTS"; fi
cp "$RESULTS" "${OUT%.md}.jsonl"
cp "$WORK/meta.json" "${OUT%.md}.meta.json"
# Charts beside the report (matplotlib from Debian's python3-matplotlib, which installs for /usr/bin/python3).
CHARTS=()
while IFS= read -r chart; do CHARTS+=(--chart "$(basename "$chart")"); done < <(
  /usr/bin/python3 perf/charts.py --results "${OUT%.md}.jsonl" --meta "${OUT%.md}.meta.json" --out-prefix "${OUT%.md}")
[[ ${#CHARTS[@]} -eq 6 ]] || { log "expected 3 charts, perf/charts.py wrote: ${CHARTS[*]}"; exit 1; }
python3 perf/report.py --results "$RESULTS" --meta "$WORK/meta.json" --compression "$WORK/corpus/compression.md" \
  --bdn "$BDN_MD" --out "$OUT" "${CHARTS[@]}"
log "report written to $OUT (charts: ${OUT%.md}-*.png)"
