-- Direct PUT of a new object of SIZE bytes to the S3 server (anonymous, as the local server allows):
-- wrk ... -s s3-put.lua -- BUCKET_PATH SIZE
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local path, body
local headers = { ["Content-Type"] = "application/octet-stream", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
setup = common.setup
function init(args)
  path = args[1]
  local size = tonumber(args[2])
  local chunks = {}
  math.randomseed(size)
  for k = 1, size do chunks[k] = string.char(math.random(0, 255)) end
  body = table.concat(chunks)
end
function request()
  return wrk.format("PUT", path .. "/perf-put/" .. common.new_hash(), headers, body)
end
done = common.done
