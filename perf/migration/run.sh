#!/usr/bin/env bash
# Migration benchmark: COUNT legacy proofs of ~SIZE bytes migrated with --verify into a local S3 server
# (the patched s3rver from tests/backends) or the filesystem provider; reports proofs/s (median of ROUNDS).
# Before each real run, a dry run with the same options estimates its duration (ESTIMATE=0 skips it); each round
# prints the estimate beside the actual duration, and the end the ratios (the goal: within a factor of 2).
#
#   bash perf/migration/run.sh                    # S3 target (needs the S3 provider registered in the CLI)
#   TARGET=filesystem bash perf/migration/run.sh  # filesystem target (fsync on, the service default)
#
# The S3 server is pinned to core 0 and the CLI to core 1 (see shared benchmarking notes); each round starts
# from an empty target and a fresh checkpoint.
set -euo pipefail

# --- knobs ---------------------------------------------------------------------------------------------
TARGET="${TARGET:-s3}"                # s3 | filesystem
COUNT="${COUNT:-10000}"               # legacy records
SIZE="${SIZE:-4096}"                  # bytes per record (approx.)
DUPLICATES="${DUPLICATES:-0.05}"      # fraction of records repeating an earlier image
ROUNDS="${ROUNDS:-3}"
PARALLELISM="${PARALLELISM:-32}"
BATCH_SIZE="${BATCH_SIZE:-500}"
FLUSH_TO_DISK="${FLUSH_TO_DISK:-true}" # filesystem target only
PIN="${PIN:-1}"                       # 1: S3 server on core 0, CLI on core 1; 0: let the scheduler place both
VERIFY="${VERIFY:-1}"                 # 0 leaves out --verify (to see what verification costs); the figure is with it
ESTIMATE="${ESTIMATE:-1}"             # 1: a dry run first, its duration estimate printed beside the real run's duration
RTT_MS="${RTT_MS:-0}"                 # s3 only: >0 puts perf/latency_proxy.py (on the CLI's core) between the CLI and the
                                      # server, adding RTT_MS to every round trip, as a remote S3/R2 endpoint would

# S3 provider configuration keys (ProofStorage:Storage:Primary:<key>): adjust to the S3 provider's option names.
S3_TYPE="${S3_TYPE:-S3}"
S3_KEY_SERVICE_URL="${S3_KEY_SERVICE_URL:-ServiceUrl}"
S3_KEY_BUCKET="${S3_KEY_BUCKET:-Bucket}"
S3_KEY_ACCESS_KEY="${S3_KEY_ACCESS_KEY:-AccessKeyId}"
S3_KEY_SECRET_KEY="${S3_KEY_SECRET_KEY:-SecretAccessKey}"
S3_KEY_PATH_STYLE="${S3_KEY_PATH_STYLE:-ForcePathStyle}"
S3_BUCKET="${S3_BUCKET:-proofs-bench}"
S3_ENDPOINT="${S3_ENDPOINT:-}"        # an existing S3-compatible endpoint (e.g. MinIO in CI) instead of the local server:
                                      # its bucket S3_BUCKET must exist; its CPU is not measured
S3_ACCESS_KEY="${S3_ACCESS_KEY:-S3RVER}"
S3_SECRET_KEY="${S3_SECRET_KEY:-S3RVER}"
# -------------------------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/perf/lib.sh"
WORK="$(mktemp -d /tmp/proofstorage-migration-bench.XXXXXX)"
CLI="$ROOT/src/ProofStorage.Migrate/bin/Release/net10.0/ProofStorage.Migrate.dll"
S3_PID=""
cleanup() {
  if [[ -n "$S3_PID" ]]; then kill "$S3_PID" 2>/dev/null || true; wait "$S3_PID" 2>/dev/null || true; fi
  if [[ -n "${PROXY_PID:-}" ]]; then kill "$PROXY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building the CLI (Release)"
dotnet build "$ROOT/src/ProofStorage.Migrate" -c Release -nologo -v q >/dev/null

echo "== generating $COUNT legacy records of ~$SIZE bytes"
python3 "$ROOT/perf/migration/generate_legacy.py" "$WORK/legacy" --count "$COUNT" --size "$SIZE" --duplicates "$DUPLICATES"
du -sh "$WORK/legacy" | sed 's/^/   /'

KEY="$(head -c 32 /dev/urandom | base64)"
RUN_ID="$(date +%s)-$$"

start_s3() {
  if [[ -n "$S3_ENDPOINT" ]]; then S3_URL="$S3_ENDPOINT"; return; fi
  local dir="${S3_DATA_ROOT:-$WORK}/s3-$1"
  mkdir -p "$dir"
  [[ -f "$ROOT/tests/backends/node_modules/@20minutes/s3rver/lib/cli.js" ]] || bash "$ROOT/scripts/install-test-deps.sh" >/dev/null
  # shellcheck disable=SC2046
  NODE_OPTIONS=--openssl-legacy-provider $(pin 0) node "$ROOT/tests/backends/start-s3rver.js" -d "$dir" -a 127.0.0.1 -p 0 \
    --configure-bucket "$S3_BUCKET" --allow-mismatched-signatures -s >"$dir.log" 2>&1 &
  S3_PID=$!
  S3_URL="$(listening_url "$dir.log")" || exit 1
}

s3_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$S3_PID/stat" 2>/dev/null || echo "?"; }
stop_s3() {
  kill "$S3_PID" 2>/dev/null || true; wait "$S3_PID" 2>/dev/null || true; S3_PID=""
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""; fi
}

PROXY_PID=""
start_proxy() {
  local log="$WORK/proxy-$1.log"
  # shellcheck disable=SC2046
  read -r host port < <(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.hostname, p.port or 80)' "$S3_URL")
  $(pin 1) python3 "$ROOT/perf/latency_proxy.py" 0 "$host" "$port" "$(python3 -c "print($RTT_MS / 2)")" >"$log" 2>&1 &
  PROXY_PID=$!
  S3_URL="$(listening_url "$log")" || exit 1
}

write_config() {
  local round="$1" primary
  if [[ "$TARGET" == "s3" ]]; then
    # Each round under its own key prefix, so it starts from an empty target even on a shared endpoint.
    primary="\"Type\":\"$S3_TYPE\",\"$S3_KEY_SERVICE_URL\":\"$S3_URL\",\"KeyPrefix\":\"bench-$RUN_ID-$round/\",\"$S3_KEY_BUCKET\":\"$S3_BUCKET\",\"$S3_KEY_ACCESS_KEY\":\"$S3_ACCESS_KEY\",\"$S3_KEY_SECRET_KEY\":\"$S3_SECRET_KEY\",\"$S3_KEY_PATH_STYLE\":true"
  else
    primary="\"Type\":\"FileSystem\",\"Path\":\"$WORK/fs-$round\",\"FlushToDisk\":$FLUSH_TO_DISK"
  fi
  cat >"$WORK/config-$round.json" <<JSON
{"ProofStorage":{"DataPath":"$WORK/data-$round","Encryption":{"ActiveKeyId":"bench","Keys":{"bench":"$KEY"}},"Storage":{"Primary":{$primary}}}}
JSON
}

rates=()
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  if [[ "$TARGET" == "s3" ]]; then
    start_s3 "$round"
    if [[ "$RTT_MS" != 0 ]]; then start_proxy "$round"; fi
  fi
  write_config "$round"
  echo "== round $round/$ROUNDS: $TARGET, verify=$VERIFY, parallelism $PARALLELISM, batch $BATCH_SIZE$([[ "$RTT_MS" != 0 ]] && echo ", +$RTT_MS ms per round trip")"
  if [[ "$ESTIMATE" == 1 ]]; then
    # The same options with --dry-run, into the same empty target: it writes only its probe objects (and deletes them).
    set +e
    # shellcheck disable=SC2046
    $(pin 1) dotnet "$CLI" --source "$WORK/legacy" --config "$WORK/config-$round.json" $([[ "$VERIFY" == 1 ]] && echo --verify) \
      --parallelism "$PARALLELISM" --batch-size "$BATCH_SIZE" --no-checkpoint --dry-run \
      --report "$WORK/dry-$round.json" --no-progress >"$WORK/dry-out-$round.txt" 2>"$WORK/dry-err-$round.txt"
    code=$?
    set -e
    if [[ "$code" -ne 0 && "$code" -ne 3 ]]; then
      echo "   the dry run exited $code:"; tail -n 20 "$WORK/dry-out-$round.txt" "$WORK/dry-err-$round.txt" | sed 's/^/   /'
      exit "$code"
    fi
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["dryRunEstimate"]; print("   dry run: estimate %s s; %s" % (e.get("durationSeconds"), e.get("method")))' "$WORK/dry-$round.json"
  fi
  set +e
  # shellcheck disable=SC2046
  $(pin 1) /usr/bin/time -f "%U %S" -o "$WORK/time-$round.txt" dotnet "$CLI" --source "$WORK/legacy" --config "$WORK/config-$round.json" $([[ "$VERIFY" == 1 ]] && echo --verify) \
    --parallelism "$PARALLELISM" --batch-size "$BATCH_SIZE" --checkpoint "$WORK/checkpoint-$round.json" \
    --report "$WORK/report-$round.json" --no-progress >"$WORK/out-$round.txt" 2>"$WORK/err-$round.txt"
  code=$?
  set -e
  server_cpu=""
  s3_seconds="?"
  if [[ "$TARGET" == "s3" ]]; then
    if [[ -n "$S3_PID" ]]; then
      # The ceilings say which side bounds the run: records/s each process could reach with a core to itself at the
      # CPU it spent per record (both are pinned to one core each).
      s3_seconds="$(s3_cpu)"
      server_cpu="; S3 server CPU ${s3_seconds}s ($(python3 -c "print(round($s3_seconds*1000/$COUNT, 3))") ms per record)"
    fi
    stop_s3
  fi
  if [[ "$code" -ne 0 ]]; then
    echo "   the CLI exited $code:"; tail -n 20 "$WORK/out-$round.txt" "$WORK/err-$round.txt" | sed 's/^/   /'
    exit "$code"
  fi
  rate="$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["proofsPerSecond"]); sys.stderr.write("   %d records: %d migrated, %d deduplicated, %d verified, %d missing, %d corrupted, %.2f s, %.3f ms/proof\n" % (s["total"], s["migrated"], s["deduplicated"], s["verified"], s["missing"], s["corrupted"], s["durationSeconds"], s["averageMillisecondsPerProof"]))' "$WORK/report-$round.json")"
  read -r cpu_user cpu_sys <"$WORK/time-$round.txt"
  echo "   $rate proofs/s; CLI CPU ${cpu_user}s user + ${cpu_sys}s sys ($(python3 -c "print(round(($cpu_user+$cpu_sys)*1000/$COUNT, 3))") ms per record)$server_cpu; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ "$TARGET" == "s3" && "$s3_seconds" != "?" ]]; then
    echo "   one-core ceilings: CLI $(python3 -c "print(round($COUNT/($cpu_user+$cpu_sys)))")/s, S3 server $(python3 -c "print(round($COUNT/$s3_seconds))")/s"
  fi
  rates+=("$rate")
  if [[ "$ESTIMATE" == 1 ]]; then
    ratio="$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["dryRunEstimate"]["durationSeconds"]; a=json.load(open(sys.argv[2]))["summary"]["durationSeconds"]; print("%.2f" % (e / a))' "$WORK/dry-$round.json" "$WORK/report-$round.json")"
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["dryRunEstimate"]["durationSeconds"]; a=json.load(open(sys.argv[2]))["summary"]["durationSeconds"]; print("   estimate %.1f s vs actual %.1f s: estimate/actual %.2f" % (e, a, e / a))' "$WORK/dry-$round.json" "$WORK/report-$round.json"
    ratios+=("$ratio")
  fi
done

median="$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "== $TARGET: median $median proofs/s over $ROUNDS round(s) (${rates[*]}); target >= 500/s"
if [[ "$ESTIMATE" == 1 ]]; then
  within="$(python3 -c 'import sys; r=[float(x) for x in sys.argv[1:]]; print("yes" if all(0.5 <= x <= 2 for x in r) else "NO")' "${ratios[@]}")"
  echo "== $TARGET: dry-run estimate / actual duration per round: ${ratios[*]}; within a factor of 2: $within"
fi
