--[[
  Re-queues a failed attempt without backoff (or, with attempt "0", returns an unfinished job to
  the front of wait, or of its priority, as graceful close does).
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc, 10 stalled
  ARGV: 1 key prefix, 2 job id, 3 lock token, 4 now ms, 5 failedReason or "", 6 stacktrace JSON or "",
        7 count the attempt "1"/"0"
  Returns 0 or a negative error code.
]]
--@include queueState
--@include activation
local prefix = ARGV[1]
local jobId = ARGV[2]
local jobKey = prefix .. jobId
local taken = takeOutOfActive(prefix, jobId, ARGV[3], KEYS[2], KEYS[10])
if taken < 0 then
  return taken
end
promoteDueJobs(prefix, tonumber(ARGV[4]))
if ARGV[5] ~= "" then
  redis.call("HSET", jobKey, "failedReason", ARGV[5], "stacktrace", ARGV[6])
end
markRequeued(jobKey, ARGV[4])
local pausedOrMaxed = isPausedOrMaxed(KEYS[5], KEYS[2])
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
if ARGV[7] == "1" then
  redis.call("HINCRBY", jobKey, "atm", 1)
  if priority > 0 then
    addToPrioritized(KEYS[3], KEYS[9], jobId, priority)
  elseif isLifo(jobKey) then
    redis.call("RPUSH", KEYS[1], jobId)
  else
    redis.call("LPUSH", KEYS[1], jobId)
  end
elseif priority > 0 then
  -- Ahead of the jobs of its priority, as it was taken before them, but behind any of a better one.
  redis.call("ZADD", KEYS[3], prioritizedScore(priority, 0), jobId)
else
  redis.call("RPUSH", KEYS[1], jobId)
end
addBaseMarkerIfNeeded(KEYS[8], pausedOrMaxed)
redis.call("XADD", KEYS[4], "MAXLEN", "~", getMaxEvents(KEYS[5]), "*", "event", "waiting", "jobId", jobId, "prev", "active")
return 0
