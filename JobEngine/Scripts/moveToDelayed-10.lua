--[[
  Takes an active job back to delayed: for a retry after backoff (the failure recorded and counted), or at its
  processor's request with neither (BullMQ's job.moveToDelayed followed by a DelayedError).
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc, 10 stalled
  ARGV: 1 key prefix, 2 job id, 3 lock token, 4 now ms, 5 delay ms, 6 failedReason or "" (keep the last),
        7 stacktrace JSON, 8 count the attempt "1"/"0"
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
if ARGV[6] ~= "" then
  redis.call("HSET", jobKey, "failedReason", ARGV[6], "stacktrace", ARGV[7])
end
redis.call("HSET", jobKey, "delay", ARGV[5])
if ARGV[8] == "1" then
  redis.call("HINCRBY", jobKey, "atm", 1)
end
addToDelayed(KEYS[7], KEYS[4], KEYS[8], jobId, tonumber(ARGV[4]) + tonumber(ARGV[5]), getMaxEvents(KEYS[5]))
return 0
