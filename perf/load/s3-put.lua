-- Direct PUT of a new object of SIZE bytes to the S3 server (anonymous, as the local server allows):
-- wrk ... -s s3-put.lua -- FOLDER_PATH SIZE
-- Create-only (If-None-Match: *), the same S3 operation the service's store is: one conditional PUT, into the same
-- folder (/BUCKET/PREFIX/proofs: the local server keeps a folder as a directory, whose size and history of deletes
-- its create costs depend on). It is still unsigned, so the server skips the SigV4 check it does for the service's.
local common = dofile(os.getenv("PERF_LUA_DIR") .. "/common.lua")
local path, body
local headers = { ["Content-Type"] = "application/octet-stream", ["If-None-Match"] = "*", ["X-Api-Key"] = os.getenv("PERF_API_KEY") or "" }
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
  return wrk.format("PUT", path .. "/" .. common.new_hash(), headers, body)
end
done = common.done
