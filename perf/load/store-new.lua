-- POST /v1/proofs with the same proof and a new image hash every request: wrk ... -s store-new.lua -- PROOF_FILE
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local proof
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args) proof = common.read_file(args[1]) end
function request()
  return wrk.format("POST", "/v1/proofs", headers, common.store_body(common.new_hash(), proof))
end
done = common.done
