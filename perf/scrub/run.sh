#!/usr/bin/env bash
# Scrub benchmark: COUNT proofs (~SIZE bytes) on a failover pair of two local S3 servers (the patched s3rver from
# tests/backends), then the built CLI's listing pass and deep pass over them, ROUNDS times each: keys/s, the CLI's CPU per
# key and each S3 server's CPU per key (the same server-bound reasoning as perf/migration/README.md); then a listing pass
# throttled to THROTTLE keys/s (the throttle counts keys in either pass; the listing pass is the one fast enough to exceed
# the setting here), and whether it held within 10 % of that.
#
#   bash perf/scrub/run.sh                         # 10,000 proofs (+ their legacy-id aliases), 3 rounds
#   COUNT=1000 ROUNDS=1 THROTTLE=100 bash perf/scrub/run.sh   # quick check
#
# Both servers run on core 0, the CLI on core 1 (see the shared benchmarking notes). The store is seeded once with the
# migration CLI (a legacy folder from perf/migration/generate_legacy.py), so every proof also has an alias: a pass walks
# 2 x COUNT keys, each with two copies.
set -euo pipefail

COUNT="${COUNT:-10000}"
SIZE="${SIZE:-4096}"
ROUNDS="${ROUNDS:-3}"
PARALLELISM="${PARALLELISM:-16}"
BATCH_SIZE="${BATCH_SIZE:-500}"
THROTTLE="${THROTTLE:-200}"           # keys/s for the throttle check (0 skips it)
PIN="${PIN:-1}"
BUCKET=proofs-bench

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/perf/lib.sh"
WORK="$(mktemp -d /tmp/proofstorage-scrub-bench.XXXXXX)"
CLI="$ROOT/src/ProofStorage.Migrate/bin/Release/net10.0/ProofStorage.Migrate.dll"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

start_s3() { # start_s3 NAME -> sets URL_<NAME>, PID_<NAME>
  local dir="$WORK/s3-$1"
  mkdir -p "$dir"
  # shellcheck disable=SC2046
  NODE_OPTIONS=--openssl-legacy-provider $(pin 0) node "$ROOT/tests/backends/start-s3rver.js" -d "$dir" -a 127.0.0.1 -p 0 \
    --configure-bucket "$BUCKET" --allow-mismatched-signatures -s >"$dir.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_$1" '%s' "$!"
  printf -v "URL_$1" '%s' "$(listening_url "$dir.log")"
}

cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

echo "== building the CLI (Release)"
dotnet build "$ROOT/src/ProofStorage.Migrate" -c Release -nologo -v q >/dev/null
[[ -f "$ROOT/tests/backends/node_modules/@20minutes/s3rver/lib/cli.js" ]] || bash "$ROOT/scripts/install-test-deps.sh" >/dev/null

start_s3 primary
start_s3 secondary
KEY="$(head -c 32 /dev/urandom | base64)"
member() { echo "{\"Type\":\"S3\",\"ServiceUrl\":\"$1\",\"Bucket\":\"$BUCKET\",\"AccessKeyId\":\"S3RVER\",\"SecretAccessKey\":\"S3RVER\",\"ForcePathStyle\":true,\"Timeout\":\"00:00:10\",\"OperationTimeout\":\"00:00:30\"}"; }
cat >"$WORK/config.json" <<JSON
{"ProofStorage":{"DataPath":"$WORK/data","Encryption":{"ActiveKeyId":"bench","Keys":{"bench":"$KEY"}},
 "Storage":{"Primary":$(member "$URL_primary"),"Secondary":$(member "$URL_secondary")}}}
JSON

echo "== seeding $COUNT proofs of ~$SIZE bytes (with their aliases) on the pair"
python3 "$ROOT/perf/migration/generate_legacy.py" "$WORK/legacy" --count "$COUNT" --size "$SIZE" --duplicates 0
dotnet "$CLI" --source "$WORK/legacy" --config "$WORK/config.json" --parallelism 32 --batch-size 500 --no-checkpoint --no-progress >"$WORK/seed.txt" 2>&1 \
  || { tail -n 20 "$WORK/seed.txt"; exit 1; }

run_pass() { # run_pass LABEL ARGS... -> prints one result line, sets RATE
  local label="$1"; shift
  local p0 s0 p1 s1
  p0="$(cpu_of "$PID_primary")"; s0="$(cpu_of "$PID_secondary")"
  set +e
  # shellcheck disable=SC2046
  $(pin 1) /usr/bin/time -f "%U %S" -o "$WORK/time.txt" dotnet "$CLI" scrub --config "$WORK/config.json" --no-checkpoint --no-progress \
    --parallelism "$PARALLELISM" --batch-size "$BATCH_SIZE" --report "$WORK/report.json" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"
  local code=$?
  set -e
  [[ "$code" -eq 0 ]] || { echo "   scrub exited $code:"; tail -n 20 "$WORK/out.txt" "$WORK/err.txt"; exit "$code"; }
  p1="$(cpu_of "$PID_primary")"; s1="$(cpu_of "$PID_secondary")"
  read -r user sys <"$WORK/time.txt"
  read -r keys reads seconds < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r["thisRun"]; print(t.get("keys",0), t.get("objects.read",0), r["durationSeconds"])' "$WORK/report.json")
  RATE="$(python3 -c "print(round($keys/$seconds, 1))")"
  python3 - "$label" "$keys" "$reads" "$seconds" "$user" "$sys" "$p0" "$p1" "$s0" "$s1" <<'PY'
import sys
label, keys, reads, seconds, user, sys_, p0, p1, s0, s1 = sys.argv[1], *map(float, sys.argv[2:])
cli = (user + sys_) * 1000 / keys
primary, secondary = (p1 - p0) * 1000 / keys, (s1 - s0) * 1000 / keys
print(f"   {label}: {keys:.0f} keys ({reads:.0f} copies read) in {seconds:.2f} s = {keys/seconds:.0f} keys/s; CPU per key: CLI {cli:.3f} ms, "
      f"primary server {primary:.3f} ms, secondary server {secondary:.3f} ms; one-core ceilings: CLI {1000/cli:.0f}/s, "
      f"each server {1000/max(primary, secondary, 1e-9):.0f}/s")
PY
}

declare -A rates
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run_pass "listing pass" ; rates[listing]+="$RATE "
  run_pass "deep pass" --deep ; rates[deep]+="$RATE "
done

median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "== listing pass: median $(median "${rates[listing]}") keys/s (${rates[listing]% }); deep pass: median $(median "${rates[deep]}") keys/s (${rates[deep]% })"

if [[ "$THROTTLE" != 0 ]]; then
  echo "== throttle: listing pass at --objects-per-second $THROTTLE"
  if python3 -c "import sys; sys.exit(0 if $(median "${rates[listing]}") > 1.2 * $THROTTLE else 1)"; then :; else
    echo "   cannot check: the unthrottled listing pass ($(median "${rates[listing]}") keys/s) is not clearly faster than $THROTTLE keys/s"
    exit 1
  fi
  run_pass "throttled listing pass" --objects-per-second "$THROTTLE"
  python3 -c "import sys; r, t = $RATE, $THROTTLE; d = (r - t) / t * 100; print(f'   measured {r} keys/s against {t}: {d:+.1f} % -> ' + ('within 10 %' if abs(d) <= 10 else 'OUTSIDE 10 %')); sys.exit(0 if abs(d) <= 10 else 1)"
fi
