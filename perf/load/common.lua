-- Shared helpers for the wrk scenarios. Each scenario script does
--   local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
-- and returns common.done as wrk's done() so every run prints one machine-readable line:
--   PERF_RESULT {"requests":..,"rps":..,"p50_us":..,"p99_us":..,"errors":..}
local common = {}

-- The service needs an API key (every target gets the same header, so request sizes stay equal).
wrk.headers["X-Api-Key"] = os.getenv("PERF_API_KEY") or ""

function common.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

function common.read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return (s:gsub("%s+$", ""))
end

local thread_counter = 0
function common.setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
end

-- 64 hex chars, unique per (run, thread, request): time and a random salt, then a counter.
local counter = 0
local salt
function common.new_hash()
  if salt == nil then
    math.randomseed(os.time() + (thread_id or 0) * 7919 + math.floor(os.clock() * 1000000))
    local parts = {}
    for i = 1, 10 do parts[i] = string.format("%04x", math.random(0, 65535)) end
    salt = string.format("%08x", os.time() % 4294967296) .. table.concat(parts) .. string.format("%02x", (thread_id or 0) % 256)
  end
  counter = counter + 1
  return salt .. string.format("%014x", counter)
end

function common.store_body(hash, proof)
  return '{"imageHash":"' .. hash .. '","proof":' .. proof .. ',"metadata":{"source":"wrk"}}'
end

function common.done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    'PERF_RESULT {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"errors":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"bytes":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1000000),
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    errors, e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end

return common
