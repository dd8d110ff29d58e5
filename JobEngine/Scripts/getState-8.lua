--[[
  KEYS: 1 completed, 2 failed, 3 delayed, 4 prioritized, 5 active, 6 wait, 7 paused, 8 waiting-children
  ARGV: 1 job id
  Returns the state name or "unknown".
]]
local jobId = ARGV[1]
if redis.call("ZSCORE", KEYS[1], jobId) then return "completed" end
if redis.call("ZSCORE", KEYS[2], jobId) then return "failed" end
if redis.call("ZSCORE", KEYS[3], jobId) then return "delayed" end
if redis.call("ZSCORE", KEYS[4], jobId) then return "prioritized" end
if redis.call("LPOS", KEYS[5], jobId) then return "active" end
if redis.call("LPOS", KEYS[6], jobId) then return "waiting" end
if redis.call("LPOS", KEYS[7], jobId) then return "waiting" end
if redis.call("ZSCORE", KEYS[8], jobId) then return "waiting-children" end
return "unknown"
