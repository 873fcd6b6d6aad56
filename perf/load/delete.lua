-- DELETE PATH_PREFIX{id} of stored proofs, each id once: PERF_DELETE_CURSOR=FILE wrk ... -s delete.lua -- IDS_FILE [PATH_PREFIX]
-- PATH_PREFIX: /v1/proofs/ (the service, the default) or /BUCKET/KEY_PREFIX/proofs/ (the same proofs' objects deleted
-- directly on the S3 server, anonymously, as s3-put.lua writes). Runs that share FILE share IDS_FILE's ids, whichever
-- prefix they use, so a direct-S3 run and a service run never delete the same proof.
-- FILE holds how many ids earlier runs used; a run starts after them and, on done(), moves the cursor past its own
-- requests plus those that may still have been in flight when it stopped (one per connection), so every run deletes
-- proofs that exist (a deleted id asked again answers 404, which wrk counts as an error).
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local ids, i, prefix
local cursor_file = os.getenv("PERF_DELETE_CURSOR") or "/dev/null"
setup = common.setup
local function read_cursor()
  local f = io.open(cursor_file, "r")
  if not f then return 0 end
  local n = tonumber(f:read("*l") or "0") or 0
  f:close()
  return n
end
function init(args)
  ids = common.read_lines(args[1])
  prefix = args[2] or "/v1/proofs/"
  i = read_cursor()
end
function request()
  i = i + 1
  return wrk.format("DELETE", prefix .. ids[((i - 1) % #ids) + 1])
end
function done(summary, latency, requests)
  common.done(summary, latency, requests)
  local used = read_cursor() + summary.requests + (tonumber(os.getenv("PERF_DELETE_INFLIGHT") or "1024") or 1024)
  local f = io.open(cursor_file, "w")
  if f then f:write(tostring(used)) f:close() end
end
