-- Completing or failing one active job. Worker key order: 1 wait, 2 active, 3 prioritized, 4 events,
-- 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc, 10 stalled, 11 target set (completed | failed).
-- Returns 0 or a negative error code: -1 no job, -2 lock missing, -3 not active, -4 open dependencies,
-- -6 foreign lock, -9 failed children.
local function finishJob(prefix, jobId, now, field, value, target, token, keepCount, keepAge, pruneLimit, attempts,
    stacktrace, maxEvents)
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
  local released = releaseLock(prefix, jobId, token, KEYS[10])
  if released < 0 then
    return released
  end
  if stacktrace ~= "" then
    redis.call("HSET", jobKey, "stacktrace", stacktrace)
  end
  if redis.call("LREM", KEYS[2], -1, jobId) == 0 then
    return -3
  end

  releaseDeduplication(prefix, jobKey, jobId)
  -- A completed job removed at once needs no attempt count: nothing reads it again.
  local attemptsMade = 0
  if keepCount ~= 0 or target == "failed" then
    attemptsMade = redis.call("HINCRBY", jobKey, "atm", 1)
  end

  if keepCount == 0 then
    removeJobKeys(jobKey)
  else
    redis.call("ZADD", KEYS[11], now, jobId)
    redis.call("HSET", jobKey, field, value, "finishedOn", now)
    if target == "failed" then
      redis.call("HDEL", jobKey, "defa")
    end
    if keepAge > 0 then
      local expired = redis.call("ZRANGEBYSCORE", KEYS[11], 0, now - keepAge * 1000, "LIMIT", 0, pruneLimit)
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

  -- Every XADD caps the stream, so no separate XTRIM is needed.
  redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", target, "jobId", jobId, field, value,
    "prev", "active")
  if target == "failed" and attemptsMade >= attempts then
    redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", "retries-exhausted", "jobId", jobId,
      "attemptsMade", attemptsMade)
  end
  return 0
end

local function addDrainedEventIfEmpty(maxEvents)
  if redis.call("LLEN", KEYS[1]) == 0 and redis.call("LLEN", KEYS[2]) == 0 and redis.call("ZCARD", KEYS[3]) == 0 then
    redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEvents, "*", "event", "drained")
  end
end
