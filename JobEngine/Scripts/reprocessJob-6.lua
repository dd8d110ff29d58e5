--[[
  Runs a finished (failed or completed) job again from wait.
  KEYS: 1 finished set (failed | completed), 2 wait, 3 meta, 4 active, 5 marker, 6 events
  ARGV: 1 key prefix, 2 job id, 3 finished state name, 4 now ms
  Returns 0, -1 when the job is gone, -3 when it is not in that state.
]]
--@include queueState
local jobId = ARGV[2]
local jobKey = ARGV[1] .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if redis.call("ZREM", KEYS[1], jobId) == 0 then
  return -3
end
-- As BullMQ: only the outcome of the state left is cleared; an earlier attempt's failedReason and the stall count stay.
local outcome = ARGV[3] == "completed" and "returnvalue" or "failedReason"
redis.call("HDEL", jobKey, "finishedOn", "processedOn", outcome)
markRequeued(jobKey, ARGV[4])
if isLifo(jobKey) then
  redis.call("RPUSH", KEYS[2], jobId)
else
  redis.call("LPUSH", KEYS[2], jobId)
end
addBaseMarkerIfNeeded(KEYS[5], isPausedOrMaxed(KEYS[3], KEYS[4]))
redis.call("XADD", KEYS[6], "MAXLEN", "~", getMaxEvents(KEYS[3]), "*", "event", "waiting", "jobId", jobId, "prev", ARGV[3])
return 0
