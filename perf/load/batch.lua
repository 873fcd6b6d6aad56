-- POST /v1/proofs/batch with 100 new images per request: wrk ... -s batch.lua -- PROOF_FILE [ITEMS]
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local proof, items
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args)
  proof = common.read_file(args[1])
  items = tonumber(args[2] or "100")
end
function request()
  local parts = {}
  for k = 1, items do parts[k] = common.store_body(common.new_hash(), proof) end
  return wrk.format("POST", "/v1/proofs/batch", headers, '{"items":[' .. table.concat(parts, ",") .. "]}")
end
done = common.done
