-- Mixed workload for wrk: 70% GET by id (existing proofs), 10% GET by image, 5% lookup, 15% new stores.
-- Counts responses per status in each thread; done() prints the totals as "status <code> <count>" lines.
-- Needs PROOF_IDS_FILE (one proof id per line) and API_KEY in the environment.

local ids = {}
local api_key = os.getenv("API_KEY") or ""
local threads = {}

local function load_ids()
  local path = os.getenv("PROOF_IDS_FILE")
  local list = {}
  for line in io.lines(path) do
    if #line > 0 then list[#list + 1] = line end
  end
  return list
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  ids = load_ids()
  counts = {}
  math.randomseed(os.time() + (id or 0) * 7919)
end

local function hex64()
  local parts = {}
  for i = 1, 8 do parts[i] = string.format("%08x", math.random(0, 0x7fffffff)) end
  return table.concat(parts)
end

function request()
  local headers = { ["X-Api-Key"] = api_key }
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", "/v1/proofs/" .. ids[math.random(#ids)], headers)
  elseif r <= 80 then
    return wrk.format("GET", "/v1/proofs/by-image/" .. hex64(), headers)
  elseif r <= 85 then
    headers["Content-Type"] = "application/json"
    local body = '{"proofIds":["' .. ids[math.random(#ids)] .. '","' .. ids[math.random(#ids)] .. '"]}'
    return wrk.format("POST", "/v1/proofs/lookup", headers, body)
  else
    headers["Content-Type"] = "application/json"
    local body = '{"imageHash":"' .. hex64() .. '","proof":{"claim":{"alg":"sha256","assertions":["c2pa.actions"]},"signature":"' .. string.rep("MEUCIQ", 200) .. '"}}'
    return wrk.format("POST", "/v1/proofs", headers, body)
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do totals[status] = (totals[status] or 0) + n end
  end
  for status, n in pairs(totals) do io.write(string.format("status %d %d\n", status, n)) end
  io.write(string.format("latency_p50_ms %.1f\nlatency_p99_ms %.1f\nlatency_max_ms %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors connect %d read %d write %d timeout %d status_non2xx %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
