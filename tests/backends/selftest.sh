#!/usr/bin/env bash
# Self-test of the patched local S3 server (tests/backends/start-s3rver.js).
#
# Starts the server on a free port (-p 0, the port it chose is read from its output) in a temp
# dir, then uses curl with real SigV4 signatures (user S3RVER:S3RVER) to check that PutObject
# honours conditional writes as AWS S3 / R2 / MinIO do:
#   - If-None-Match: *  -> 200 the first time, 412 PreconditionFailed the second time
#   - 100 concurrent If-None-Match: * PUTs of one fresh key with distinct bodies -> exactly one
#     200 and 99 x 412; the stored bytes and ETag are exactly the winner's
#   - If-Match with a wrong ETag, or on a missing key -> 412; with the right ETag -> 200
#   - 50 concurrent If-Match PUTs carrying the same (current) ETag -> exactly one 200
#   - DELETE with If-Match (AWS S3's conditional delete): a wrong ETag -> 412 and the object stays,
#     a missing key -> 404, the current ETag -> 204 and the object is gone
# Exits non-zero on any failure; the server is stopped and the temp dir removed on exit.
#
# Needs: node, curl, md5sum, sha256sum, and `npm ci` done in tests/backends
# (scripts/install-test-deps.sh). S3RVER_LAUNCHER=path/to/start-s3rver.js overrides the launcher
# (e.g. to show that an unpatched install fails this test).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAUNCHER="${S3RVER_LAUNCHER:-$HERE/start-s3rver.js}"
RACERS=100
CAS_RACERS=50

for tool in node curl md5sum sha256sum; do
  command -v "$tool" >/dev/null || { echo "selftest: $tool not found" >&2; exit 2; }
done
if ! (cd "$(dirname "$LAUNCHER")" && node -e "require.resolve('@20minutes/s3rver/lib/cli')" 2>/dev/null); then
  echo "selftest: @20minutes/s3rver is not installed; run scripts/install-test-deps.sh" >&2
  exit 2
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BUCKET=selftest
NODE_OPTIONS=--openssl-legacy-provider node "$LAUNCHER" -d "$WORK/data" -a 127.0.0.1 -p 0 \
  --configure-bucket "$BUCKET" --allow-mismatched-signatures -s >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

PORT=""
for _ in $(seq 100); do
  PORT="$(sed -n 's/^S3rver listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/server.log")"
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$PORT" ]]; then
  echo "selftest: server did not start:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi
ENDPOINT="http://127.0.0.1:$PORT"
echo "selftest: server pid $SERVER_PID listening on $ENDPOINT (data in $WORK/data)"

PASSED=0
FAILED=0
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    PASSED=$((PASSED + 1))
    echo "ok   - $1"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL - $1: expected [$2], got [$3]"
  fi
}

md5_of() { md5sum "$1" | cut -d' ' -f1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Writes curl config lines for one signed PUT of body file $2 to key $1, saving the response
# headers to $3 and body to $4; further args are extra request headers.
put_config() {
  local key="$1" body="$2" hdr="$3" out="$4"
  shift 4
  cat <<EOF
url = "$ENDPOINT/$BUCKET/$key"
request = "PUT"
user = "S3RVER:S3RVER"
aws-sigv4 = "aws:amz:us-east-1:s3"
header = "Content-Type: application/octet-stream"
header = "x-amz-content-sha256: $(sha256_of "$body")"
data-binary = "@$body"
dump-header = "$hdr"
output = "$out"
max-time = 60
silent
show-error
EOF
  local h
  for h in "$@"; do
    printf 'header = "%s"\n' "${h//\"/\\\"}"
  done
}

# put KEY BODYFILE [HEADER...]: one signed PUT; prints the HTTP status. Response headers and body
# are left in $WORK/last.hdr and $WORK/last.out.
put() {
  put_config "$1" "$2" "$WORK/last.hdr" "$WORK/last.out" "${@:3}" >"$WORK/last.cfg"
  curl -K "$WORK/last.cfg" -w '%{http_code}'
}

# get KEY: signed GET; body to $WORK/get.out, headers to $WORK/get.hdr; prints the status.
get() {
  curl -sS --max-time 60 --user S3RVER:S3RVER --aws-sigv4 "aws:amz:us-east-1:s3" \
    -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
    -D "$WORK/get.hdr" -o "$WORK/get.out" -w '%{http_code}' "$ENDPOINT/$BUCKET/$1"
}

# del KEY [HEADER...]: signed DELETE; prints the status (body in $WORK/del.out).
del() {
  local args=() h
  for h in "${@:2}"; do args+=(-H "$h"); done
  curl -sS --max-time 60 --user S3RVER:S3RVER --aws-sigv4 "aws:amz:us-east-1:s3" -X DELETE \
    -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" "${args[@]}" \
    -o "$WORK/del.out" -w '%{http_code}' "$ENDPOINT/$BUCKET/$1"
}

etag_in() { sed -n 's/^[Ee][Tt][Aa][Gg]: *"\{0,1\}\([^"]*\)"\{0,1\}\r\{0,1\}$/\1/p' "$1" | head -n1; }
status_in() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$1"; }
error_code_in() { sed -n 's/.*<Code>\([^<]*\)<\/Code>.*/\1/p' "$1" | head -n1; }

mkdir -p "$WORK/bodies"

echo "# If-None-Match: * on one key, twice"
printf 'first body\n' >"$WORK/bodies/first"
printf 'second body\n' >"$WORK/bodies/second"
check "first If-None-Match PUT -> 200" 200 "$(put create-once "$WORK/bodies/first" 'If-None-Match: *')"
check "first PUT ETag = md5 of its body" "$(md5_of "$WORK/bodies/first")" "$(etag_in "$WORK/last.hdr")"
check "second If-None-Match PUT -> 412" 412 "$(put create-once "$WORK/bodies/second" 'If-None-Match: *')"
check "412 body is an S3 error with Code PreconditionFailed" PreconditionFailed "$(error_code_in "$WORK/last.out")"
check "GET after the refused PUT -> 200" 200 "$(get create-once)"
check "object still holds the first body" "$(md5_of "$WORK/bodies/first")" "$(md5_of "$WORK/get.out")"

echo "# $RACERS concurrent If-None-Match: * PUTs of one fresh key, distinct bodies"
mkdir -p "$WORK/race"
: >"$WORK/race.cfg"
for i in $(seq -w 1 "$RACERS"); do
  # 256 KiB bodies, each different, so interleaved writes would be visible in the stored bytes
  head -c 262144 /dev/zero | tr '\0' "$(printf '\\%03o' $((65 + 10#$i % 26)))" >"$WORK/bodies/racer-$i"
  printf 'racer %s\n' "$i" >>"$WORK/bodies/racer-$i"
  put_config race-key "$WORK/bodies/racer-$i" "$WORK/race/$i.hdr" "$WORK/race/$i.out" \
    'If-None-Match: *' >>"$WORK/race.cfg"
  echo next >>"$WORK/race.cfg"
done
sed -i '$d' "$WORK/race.cfg" # no trailing "next"
curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max "$RACERS" -K "$WORK/race.cfg" || true
won=0 lost=0 other=0 winner=""
for i in $(seq -w 1 "$RACERS"); do
  case "$(status_in "$WORK/race/$i.hdr" 2>/dev/null)" in
    200) won=$((won + 1)); winner="$i" ;;
    412) if [[ "$(error_code_in "$WORK/race/$i.out")" == PreconditionFailed ]]; then
           lost=$((lost + 1)); else other=$((other + 1)); fi ;;
    *) other=$((other + 1)) ;;
  esac
done
echo "     race result: $won x 200, $lost x 412 PreconditionFailed, $other other (winner: racer ${winner:-none})"
check "exactly one racer got 200" 1 "$won"
check "all other racers got 412 PreconditionFailed" "$((RACERS - 1))" "$lost"
check "no racer got any other answer" 0 "$other"
check "GET of the raced key -> 200" 200 "$(get race-key)"
if [[ -n "$winner" ]]; then
  check "stored bytes equal the winner's body" "$(md5_of "$WORK/bodies/racer-$winner")" "$(md5_of "$WORK/get.out")"
  check "GET ETag is the winner's ETag" "$(etag_in "$WORK/race/$winner.hdr")" "$(etag_in "$WORK/get.hdr")"
  check "winner's ETag = md5 of its body" "$(md5_of "$WORK/bodies/racer-$winner")" "$(etag_in "$WORK/race/$winner.hdr")"
else
  check "a winner exists" yes no
fi
check "ETag file on disk matches the stored bytes" \
  "$(md5_of "$WORK/data/$BUCKET/race-key._S3rver_object")" \
  "$(cat "$WORK/data/$BUCKET/race-key._S3rver_object.md5")"

echo "# If-Match"
current="$(etag_in "$WORK/get.hdr")"
printf 'updated body\n' >"$WORK/bodies/updated"
check "If-Match with a wrong ETag -> 412" 412 \
  "$(put race-key "$WORK/bodies/updated" 'If-Match: "0123456789abcdef0123456789abcdef"')"
check "  ... with Code PreconditionFailed" PreconditionFailed "$(error_code_in "$WORK/last.out")"
check "If-Match on a missing key -> 412" 412 \
  "$(put no-such-key "$WORK/bodies/updated" "If-Match: \"$current\"")"
check "GET after the refused If-Match PUTs: unchanged" "$current" "$(get race-key >/dev/null; etag_in "$WORK/get.hdr")"
check "missing key was not created" 404 "$(get no-such-key)"
check "If-Match with the current ETag -> 200" 200 "$(put race-key "$WORK/bodies/updated" "If-Match: \"$current\"")"
check "GET returns the updated body" "$(md5_of "$WORK/bodies/updated")" "$(get race-key >/dev/null; md5_of "$WORK/get.out")"

echo "# $CAS_RACERS concurrent If-Match PUTs carrying the same current ETag"
current="$(md5_of "$WORK/bodies/updated")"
mkdir -p "$WORK/cas"
: >"$WORK/cas.cfg"
for i in $(seq -w 1 "$CAS_RACERS"); do
  printf 'cas writer %s\n' "$i" >"$WORK/bodies/cas-$i"
  put_config race-key "$WORK/bodies/cas-$i" "$WORK/cas/$i.hdr" "$WORK/cas/$i.out" \
    "If-Match: \"$current\"" >>"$WORK/cas.cfg"
  echo next >>"$WORK/cas.cfg"
done
sed -i '$d' "$WORK/cas.cfg"
curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max "$CAS_RACERS" -K "$WORK/cas.cfg" || true
won=0 lost=0 winner=""
for i in $(seq -w 1 "$CAS_RACERS"); do
  case "$(status_in "$WORK/cas/$i.hdr" 2>/dev/null)" in
    200) won=$((won + 1)); winner="$i" ;;
    412) lost=$((lost + 1)) ;;
  esac
done
echo "     CAS result: $won x 200, $lost x 412"
check "exactly one compare-and-swap writer got 200" 1 "$won"
check "the other CAS writers got 412" "$((CAS_RACERS - 1))" "$lost"
if [[ -n "$winner" ]]; then
  check "stored bytes equal the CAS winner's body" "$(md5_of "$WORK/bodies/cas-$winner")" \
    "$(get race-key >/dev/null; md5_of "$WORK/get.out")"
fi

echo "# DELETE with If-Match"
printf 'to be deleted\n' >"$WORK/bodies/doomed"
check "PUT the object to delete -> 200" 200 "$(put doomed "$WORK/bodies/doomed")"
doomed="$(etag_in "$WORK/last.hdr")"
check "DELETE with a wrong If-Match -> 412" 412 "$(del doomed 'If-Match: "0123456789abcdef0123456789abcdef"')"
check "  ... with Code PreconditionFailed" PreconditionFailed "$(error_code_in "$WORK/del.out")"
check "  ... and the object is still there" 200 "$(get doomed)"
check "DELETE with If-Match on a missing key -> 404" 404 "$(del no-such-key "If-Match: \"$doomed\"")"
check "DELETE with the current ETag -> 204" 204 "$(del doomed "If-Match: \"$doomed\"")"
check "  ... and the object is gone" 404 "$(get doomed)"
check "DELETE without conditions of a missing key -> 204" 204 "$(del doomed)"

echo "# unconditional PUT still overwrites"
check "PUT without conditions -> 200" 200 "$(put create-once "$WORK/bodies/second")"
check "GET returns the overwritten body" "$(md5_of "$WORK/bodies/second")" "$(get create-once >/dev/null; md5_of "$WORK/get.out")"
check "no temporary upload files left on disk" "" "$(find "$WORK/data" -name '*.tmp' | head -n3)"
check "server still running" yes "$(kill -0 "$SERVER_PID" 2>/dev/null && echo yes || echo no)"

echo "selftest: $PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
