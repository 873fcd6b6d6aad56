-- 90 % cached GETs, 10 % stores of new images: wrk ... -s mix.lua -- IDS_FILE PROOF_FILE
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local ids, proof, i
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args)
  ids = common.read_lines(args[1])
  proof = common.read_file(args[2])
  i = (thread_id or 0) * 7
end
function request()
  i = i + 1
  if i % 10 == 0 then
    return wrk.format("POST", "/v1/proofs", headers, common.store_body(common.new_hash(), proof))
  end
  return wrk.format("GET", "/v1/proofs/" .. ids[(i % #ids) + 1])
end
done = common.done
