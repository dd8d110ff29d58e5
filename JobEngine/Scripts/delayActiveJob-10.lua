--[[
  Takes an active job back to delayed at its processor's request, without counting an attempt (BullMQ's
  job.moveToDelayed followed by a DelayedError): the job runs again when the delay is over.
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc, 10 stalled
  ARGV: 1 key prefix, 2 job id, 3 lock token, 4 now ms, 5 delay ms
  Returns 0 or a negative error code.
]]
--@include queueState
local prefix = ARGV[1]
local jobId = ARGV[2]
local jobKey = prefix .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
local released = releaseLock(prefix, jobId, ARGV[3], KEYS[10])
if released < 0 then
  return released
end
if redis.call("LREM", KEYS[2], -1, jobId) == 0 then
  return -3
end
redis.call("HSET", jobKey, "delay", ARGV[5])
local dueAt = tonumber(ARGV[4]) + tonumber(ARGV[5])
redis.call("ZADD", KEYS[7], delayedScore(KEYS[7], dueAt), jobId)
redis.call("XADD", KEYS[4], "*", "event", "delayed", "jobId", jobId, "delay", dueAt)
addDelayMarkerIfNeeded(KEYS[8], KEYS[7])
return 0
