# Helpers shared by the benchmark scripts (source it).

# A command prefix (not a function) so that `$!` of a background start is the server's own PID (taskset execs it):
# `$(pin 0) node …` runs on core 0 when PIN=1 and the machine has two cores or more.
pin() { if [[ "${PIN:-1}" == 1 ]] && command -v taskset >/dev/null 2>&1 && [[ "$(nproc)" -ge 2 ]]; then echo "taskset -c $1"; fi; }

# Waits (up to 10 s) for "listening on ADDRESS:PORT" in a server's log and prints its loopback URL.
listening_url() {
  local log="$1" port
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$log" 2>/dev/null; then break; fi
    sleep 0.1
  done
  port="$(grep -oE 'listening on [0-9.]+:[0-9]+' "$log" | grep -oE '[0-9]+$')" || { cat "$log" >&2; return 1; }
  echo "http://127.0.0.1:$port"
}
