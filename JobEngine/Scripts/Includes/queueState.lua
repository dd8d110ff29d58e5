-- Queue-wide helpers shared by every script: markers, pause/concurrency gate, event cap.
local function isPausedOrMaxed(metaKey, activeKey)
  local settings = redis.call("HMGET", metaKey, "paused", "concurrency")
  if settings[1] then
    return true
  end
  if settings[2] then
    return redis.call("LLEN", activeKey) >= tonumber(settings[2])
  end
  return false
end

local function addBaseMarkerIfNeeded(markerKey, pausedOrMaxed)
  if not pausedOrMaxed then
    redis.call("ZADD", markerKey, 0, "0")
  end
end

local function addDelayMarkerIfNeeded(markerKey, delayedKey)
  local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    redis.call("ZADD", markerKey, tonumber(first[2]) / 4096, "1")
  end
end

local function getMaxEvents(metaKey)
  local maxEvents = redis.call("HGET", metaKey, "opts.maxLenEvents")
  if not maxEvents then
    maxEvents = 10000
    redis.call("HSET", metaKey, "opts.maxLenEvents", maxEvents)
  end
  return maxEvents
end

-- FIFO among jobs due in the same millisecond: up to 4096 slots per ms.
local function delayedScore(delayedKey, dueAt)
  local base = dueAt * 4096
  local top = redis.call("ZREVRANGEBYSCORE", delayedKey, base + 4095, base, "WITHSCORES", "LIMIT", 0, 1)
  if top[2] then
    local score = tonumber(top[2]) + 1
    if score > base + 4095 then
      score = base + 4095
    end
    return score
  end
  return base
end

-- Lower priority numbers first; among equals, the order the priority counter gave them.
local function prioritizedScore(priority, counter)
  return priority * 0x100000000 + counter % 0x100000000
end

-- When a job went back to wait (or prioritized) after it was created: promoted, retried, reprocessed or found
-- stalled. It has waited since then, not since its creation. A field of this engine's own, which BullMQ ignores.
local function markRequeued(jobKey, now)
  redis.call("HSET", jobKey, "rqo", now)
end

local function addToPrioritized(prioritizedKey, pcKey, jobId, priority)
  local counter = redis.call("INCR", pcKey)
  redis.call("ZADD", prioritizedKey, prioritizedScore(priority, counter), jobId)
end

-- Whether the job is the run its scheduler (rjk) has queued next, which goes only with the scheduler; the scheduler's
-- earlier runs are jobs like any other.
local function isPendingSchedulerRun(jobId, schedulerId, repeatKey)
  if not schedulerId then
    return false
  end
  local pending = redis.call("ZSCORE", repeatKey, schedulerId)
  return pending ~= false and ("repeat:" .. schedulerId .. ":" .. pending) == jobId
end

local function removeJobKeys(jobKey)
  redis.call("DEL", jobKey, jobKey .. ":logs", jobKey .. ":dependencies", jobKey .. ":processed",
    jobKey .. ":failed", jobKey .. ":unsuccessful")
end

-- A removed job gives up its dedup id, and the add BullMQ parked behind it (keepLastIfActive) goes with it.
local function releaseDeduplicationOnRemoval(prefix, jobKey, jobId)
  local deid = redis.call("HGET", jobKey, "deid")
  if deid and redis.call("GET", prefix .. "de:" .. deid) == jobId then
    redis.call("DEL", prefix .. "de:" .. deid, prefix .. "dn:" .. deid)
  end
end

-- Lock discipline shared by every script that takes a job out of active: -2 missing, -6 foreign.
local function releaseLock(prefix, jobId, token, stalledKey)
  if token ~= "0" then
    local lockKey = prefix .. jobId .. ":lock"
    local current = redis.call("GET", lockKey)
    if not current then
      return -2
    end
    if current ~= token then
      return -6
    end
    redis.call("DEL", lockKey)
  end
  redis.call("SREM", stalledKey, jobId)
  return 0
end

-- Takes a job out of active for the holder of its lock: 0, or -1 no such job, -2/-6 lock missing/foreign, -3 not active.
local function takeOutOfActive(prefix, jobId, token, activeKey, stalledKey)
  if redis.call("EXISTS", prefix .. jobId) == 0 then
    return -1
  end
  local released = releaseLock(prefix, jobId, token, stalledKey)
  if released < 0 then
    return released
  end
  if redis.call("LREM", activeKey, -1, jobId) == 0 then
    return -3
  end
  return 0
end

-- Delays a job until dueAt (ms) and tells the workers when the earliest delayed job is due.
local function addToDelayed(delayedKey, eventsKey, markerKey, jobId, dueAt, maxEvents)
  redis.call("ZADD", delayedKey, delayedScore(delayedKey, dueAt), jobId)
  redis.call("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "delayed", "jobId", jobId, "delay", dueAt)
  addDelayMarkerIfNeeded(markerKey, delayedKey)
end

local function isLifo(jobKey)
  local opts = redis.call("HGET", jobKey, "opts")
  if opts then
    local ok, decoded = pcall(cjson.decode, opts)
    return ok and type(decoded) == "table" and decoded["lifo"] == true
  end
  return false
end
