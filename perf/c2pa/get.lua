-- GET one path again and again: wrk ... -s get.lua -- PATH [gzip]
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local path
local headers = { ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args)
  path = args[1]
  if args[2] == "gzip" then headers["Accept-Encoding"] = "gzip" end
end
function request() return wrk.format("GET", path, headers) end
done = common.done
