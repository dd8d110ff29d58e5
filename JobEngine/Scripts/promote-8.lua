--[[
  Moves a delayed job to wait (or prioritized) now.
  KEYS: 1 delayed, 2 wait, 3 prioritized, 4 pc, 5 meta, 6 active, 7 marker, 8 events
  ARGV: 1 key prefix, 2 job id, 3 now ms
  Returns 0, or -3 when the job is not delayed.
]]
--@include queueState
local jobId = ARGV[2]
local jobKey = ARGV[1] .. jobId
if redis.call("ZREM", KEYS[1], jobId) == 0 then
  return -3
end
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
if priority == 0 then
  redis.call("LPUSH", KEYS[2], jobId)
else
  addToPrioritized(KEYS[3], KEYS[4], jobId, priority)
end
addBaseMarkerIfNeeded(KEYS[7], isPausedOrMaxed(KEYS[5], KEYS[6]))
redis.call("XADD", KEYS[8], "*", "event", "waiting", "jobId", jobId, "prev", "delayed")
redis.call("HSET", jobKey, "delay", 0)
markRequeued(jobKey, ARGV[3])
return 0
