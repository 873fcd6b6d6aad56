-- GET of known paths, round robin: wrk ... -s get.lua -- IDS_FILE PREFIX
-- (PREFIX "/v1/proofs/" with a file of proof ids, or "" with a file of full paths.)
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local ids, prefix, i
setup = common.setup
function init(args)
  ids = common.read_lines(args[1])
  prefix = args[2] or ""
  i = (thread_id or 0) * 7
end
function request()
  i = i + 1
  return wrk.format("GET", prefix .. ids[(i % #ids) + 1])
end
done = common.done
