--[[
  Renews the locks a worker holds, in one round trip.
  KEYS: 1 stalled
  ARGV: 1 key prefix, 2 lock duration ms, then pairs of job id and token
  Returns the ids whose lock was lost (missing or owned by another token).
]]
local prefix = ARGV[1]
local duration = ARGV[2]
local lost = {}
for i = 3, #ARGV, 2 do
  local jobId = ARGV[i]
  local token = ARGV[i + 1]
  local lockKey = prefix .. jobId .. ":lock"
  if redis.call("GET", lockKey) == token then
    redis.call("SET", lockKey, token, "PX", duration)
    redis.call("SREM", KEYS[1], jobId)
  else
    lost[#lost + 1] = jobId
  end
end
return lost
