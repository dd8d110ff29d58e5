--[[
  Completes or fails an active job: lock check, keep policy with pruning, events, and optionally
  the next job in the same round trip.
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc,
        10 stalled, 11 target set (completed | failed)
  ARGV: 1 key prefix, 2 job id, 3 now ms, 4 field (returnvalue | failedReason), 5 value,
        6 target name, 7 lock token, 8 keep count (-1 all, 0 none), 9 keep age s (0 = any),
        10 prune limit, 11 attempts, 12 fetch next "1"/"0", 13 lock duration ms,
        14 limiter max, 15 limiter duration ms, 16 worker name, 17 stacktrace JSON or "",
        18 lock token for the next job
  Returns 0, a negative error code, or the moveToActive tuple when fetching next.
]]
--@include queueState
--@include activation
local prefix = ARGV[1]
local jobId = ARGV[2]
local now = tonumber(ARGV[3])
local field = ARGV[4]
local target = ARGV[6]
local jobKey = prefix .. jobId

if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if target == "completed" then
  if redis.call("SCARD", jobKey .. ":dependencies") > 0 then
    return -4
  end
  if redis.call("ZCARD", jobKey .. ":unsuccessful") > 0 then
    return -9
  end
end
local released = releaseLock(prefix, jobId, ARGV[7], KEYS[10])
if released < 0 then
  return released
end
if ARGV[17] ~= "" then
  redis.call("HSET", jobKey, "stacktrace", ARGV[17])
end
if redis.call("LREM", KEYS[2], -1, jobId) == 0 then
  return -3
end

-- Every XADD below caps the stream, so no separate XTRIM is needed.
local maxEvents = getMaxEvents(KEYS[5])
releaseDeduplication(prefix, jobKey, jobId)
local keepCount = tonumber(ARGV[8])
-- A completed job removed at once needs no attempt count: nothing reads it again.
local attemptsMade = 0
if keepCount ~= 0 or target == "failed" then
  attemptsMade = redis.call("HINCRBY", jobKey, "atm", 1)
end

if keepCount == 0 then
  removeJobKeys(jobKey)
else
  redis.call("ZADD", KEYS[11], now, jobId)
  redis.call("HSET", jobKey, field, ARGV[5], "finishedOn", now)
  if target == "failed" then
    redis.call("HDEL", jobKey, "defa")
  end
  local keepAge = tonumber(ARGV[9])
  if keepAge > 0 then
    local expired = redis.call("ZRANGEBYSCORE", KEYS[11], 0, now - keepAge * 1000, "LIMIT", 0, tonumber(ARGV[10]))
    for _, oldId in ipairs(expired) do
      removeJobKeys(prefix .. oldId)
      redis.call("ZREM", KEYS[11], oldId)
    end
  end
  if keepCount > 0 then
    local excess = redis.call("ZREVRANGE", KEYS[11], keepCount, -1)
    for _, oldId in ipairs(excess) do
      removeJobKeys(prefix .. oldId)
    end
    if #excess > 0 then
      redis.call("ZREMRANGEBYRANK", KEYS[11], 0, -(keepCount + 1))
    end
  end
end

redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", target, "jobId", jobId, field, ARGV[5],
  "prev", "active")
if target == "failed" and attemptsMade >= tonumber(ARGV[11]) then
  redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", "retries-exhausted", "jobId", jobId,
    "attemptsMade", attemptsMade)
end

if ARGV[12] == "1" then
  return moveToActive(prefix, ARGV[18], tonumber(ARGV[13]), now, tonumber(ARGV[14]), tonumber(ARGV[15]), ARGV[16])
end
if redis.call("LLEN", KEYS[1]) == 0 and redis.call("LLEN", KEYS[2]) == 0 and redis.call("ZCARD", KEYS[3]) == 0 then
  redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", "drained")
end
return 0
