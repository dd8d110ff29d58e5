-- Completing or failing active jobs. Worker key order: 1 wait, 2 active, 3 prioritized, 4 events,
-- 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc, 10 stalled, 11 target set (completed | failed).

-- Drops the dedup key when it still belongs to this job and has no TTL (TTL'd keys simply expire).
local function releaseDeduplication(prefix, deid, jobId)
  local dedupKey = prefix .. "de:" .. deid
  if redis.call("PTTL", dedupKey) == -1 and redis.call("GET", dedupKey) == jobId then
    redis.call("DEL", dedupKey)
  end
end

-- BullMQ's keepLastIfActive parks the newest add an active owner turned away in dn:<deid>. When a job of that dedup id
-- finishes, the parked add becomes a job as BullMQ makes it: with the id its add drew, created now, owning the dedup id.
local function requeueDeduplicatedJob(prefix, deid, now, maxEvents)
  local parkedKey = prefix .. "dn:" .. deid
  if redis.call("EXISTS", parkedKey) == 0 then
    return
  end
  local parked = redis.call("HMGET", parkedKey, "name", "data", "opts", "jid", "rjk", "pk", "pd", "pdk")
  -- Every add draws from the counter, this one too, though the id drawn when parked is the one it keeps.
  local counter = redis.call("INCR", prefix .. "id")
  local jobId = parked[4] or tostring(counter)
  local opts = cjson.decode(parked[3])
  local dedup = opts["de"] or {}
  local ttl = tonumber(dedup["ttl"]) or 0
  if ttl > 0 and not dedup["keepLastIfActive"] then
    redis.call("SET", prefix .. "de:" .. deid, jobId, "PX", ttl)
  else
    redis.call("SET", prefix .. "de:" .. deid, jobId)
  end
  local adds = startAdds({ wait = KEYS[1], meta = KEYS[5], delayed = KEYS[7], prioritized = KEYS[3], pc = KEYS[9],
    events = KEYS[4], marker = KEYS[8], active = KEYS[2] })
  storeJob(adds, prefix, jobId, parked[1], parked[2], parked[3], now, tonumber(opts["delay"]) or 0,
    tonumber(opts["priority"]) or 0, opts["lifo"] == true, parked[5] or "", deid, maxEvents)
  finishAdds(adds)
  if parked[6] then
    redis.call("HSET", prefix .. jobId, "parentKey", parked[6], "parent", parked[7])
  end
  if parked[8] then
    redis.call("SADD", parked[8], prefix .. jobId)
  end
  redis.call("DEL", parkedKey)
end

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

  local deid = redis.call("HGET", jobKey, "deid")
  if deid then
    releaseDeduplication(prefix, deid, jobId)
    requeueDeduplicatedJob(prefix, deid, now, maxEvents)
  end
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
