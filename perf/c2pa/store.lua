-- POST /v1/proofs with a 1 MB manifest store and a new image hash each request, raw or as base64 JSON:
--   wrk ... -s store.lua -- raw STORE_FILE N     (Content-Type: application/c2pa, imageHash in the query string)
--   wrk ... -s store.lua -- json BASE64_FILE N   ({"imageHash","proofMediaType":"application/c2pa","proof":"<base64>"})
-- A thread stops taking answers after N (a bound on the megabytes one run writes; wrk itself still runs for -d).
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local mode, body, limit
local answered = 0
-- wrk.format uses these instead of wrk.headers, so each carries the key too.
local key = os.getenv("PERF_API_KEY") or ""
local raw_headers = { ["Content-Type"] = "application/c2pa", ["X-Api-Key"] = key }
local json_headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = key }
setup = common.setup

-- The file's bytes exactly (common.read_file trims trailing whitespace, which a binary body may end with).
local function read_bytes(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  mode, limit = args[1], tonumber(args[3])
  body = read_bytes(args[2])
  if mode == "json" then
    body = '","proofMediaType":"application/c2pa","proof":"' .. body .. '"}'
  end
end

function request()
  local hash = common.new_hash()
  if mode == "raw" then
    return wrk.format("POST", "/v1/proofs?imageHash=" .. hash, raw_headers, body)
  end
  return wrk.format("POST", "/v1/proofs", json_headers, '{"imageHash":"' .. hash .. body)
end

function response(status)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end

done = common.done
