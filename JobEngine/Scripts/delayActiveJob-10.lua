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
local taken = takeOutOfActive(prefix, jobId, ARGV[3], KEYS[2], KEYS[10])
if taken < 0 then
  return taken
end
redis.call("HSET", jobKey, "delay", ARGV[5])
addToDelayed(KEYS[7], KEYS[4], KEYS[8], jobId, tonumber(ARGV[4]) + tonumber(ARGV[5]))
return 0
