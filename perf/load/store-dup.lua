-- POST /v1/proofs for images that already have a proof (answered 200 deduplicated):
-- wrk ... -s store-dup.lua -- HASHES_FILE PROOF_FILE
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local hashes, proof, i
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args)
  hashes = common.read_lines(args[1])
  proof = common.read_file(args[2])
  i = (thread_id or 0) * 7
end
function request()
  i = i + 1
  return wrk.format("POST", "/v1/proofs", headers, common.store_body(hashes[(i % #hashes) + 1], proof))
end
done = common.done
