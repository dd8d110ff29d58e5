-- Moving the next job into active. Worker key order: 1 wait, 2 active, 3 prioritized, 4 events,
-- 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc.
local function promoteDueJobs(prefix, now)
  local due = redis.call("ZRANGEBYSCORE", KEYS[7], 0, (now + 1) * 4096 - 1, "LIMIT", 0, 1000)
  if #due == 0 then
    return false
  end
  redis.call("ZREM", KEYS[7], unpack(due))
  for _, jobId in ipairs(due) do
    local jobKey = prefix .. jobId
    local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
    if priority == 0 then
      redis.call("LPUSH", KEYS[1], jobId)
    else
      addToPrioritized(KEYS[3], KEYS[9], jobId, priority)
    end
    redis.call("XADD", KEYS[4], "*", "event", "waiting", "jobId", jobId, "prev", "delayed")
    redis.call("HSET", jobKey, "delay", 0)
    markRequeued(jobKey, now)
  end
  return true
end

local function nextDelayedDue()
  local first = redis.call("ZRANGE", KEYS[7], 0, 0, "WITHSCORES")
  if first[2] then
    return math.floor(tonumber(first[2]) / 4096)
  end
  return 0
end

-- The queue settings, after promoting due delayed jobs, and whether the queue is paused or at its concurrency.
local function activationGate(prefix, now)
  local settings = redis.call("HMGET", KEYS[5], "paused", "concurrency", "max", "duration")
  local promoted = promoteDueJobs(prefix, now)
  local pausedOrMaxed = settings[1] ~= false
  if not pausedOrMaxed and settings[2] then
    pausedOrMaxed = redis.call("LLEN", KEYS[2]) >= tonumber(settings[2])
  end
  if promoted then
    addBaseMarkerIfNeeded(KEYS[8], pausedOrMaxed)
  end
  return settings, pausedOrMaxed
end

-- Takes the next job into active, without setting the marker that tells other workers to look for more.
local function activateNext(prefix, token, lockDuration, now, limiterMax, limiterDuration, workerName, settings, pausedOrMaxed)
  local maxJobs = tonumber(settings[3])
  local duration = tonumber(settings[4])
  if not maxJobs and limiterMax > 0 then
    maxJobs = limiterMax
    duration = limiterDuration
  end
  if maxJobs then
    local count = tonumber(redis.call("GET", KEYS[6]) or "0")
    if count >= maxJobs then
      local ttl = redis.call("PTTL", KEYS[6])
      if ttl > 0 then
        return { 0, 0, ttl, 0 }
      end
      -- A full window in its last millisecond (or without expiry) is over: start a fresh one, or this job
      -- would be counted in the old window and the next ones would get a whole window to themselves.
      redis.call("DEL", KEYS[6])
    end
  end

  if pausedOrMaxed then
    return { 0, 0, 0, 0 }
  end

  local jobId = redis.call("RPOPLPUSH", KEYS[1], KEYS[2])
  while jobId and string.sub(jobId, 1, 2) == "0:" do
    redis.call("LREM", KEYS[2], 1, jobId)
    jobId = redis.call("RPOPLPUSH", KEYS[1], KEYS[2])
  end
  if not jobId then
    local popped = redis.call("ZPOPMIN", KEYS[3])
    if popped[1] then
      jobId = popped[1]
      redis.call("LPUSH", KEYS[2], jobId)
    else
      redis.call("DEL", KEYS[9])
    end
  end

  if not jobId then
    return { 0, 0, 0, nextDelayedDue() }
  end

  if maxJobs then
    if redis.call("INCR", KEYS[6]) == 1 then
      redis.call("PEXPIRE", KEYS[6], duration)
    end
  end
  local jobKey = prefix .. jobId
  if token ~= "0" then
    redis.call("SET", jobKey .. ":lock", token, "PX", lockDuration)
  end
  redis.call("XADD", KEYS[4], "*", "event", "active", "jobId", jobId, "prev", "waiting")
  if workerName ~= "" then
    redis.call("HSET", jobKey, "processedOn", now, "pb", workerName)
  else
    redis.call("HSET", jobKey, "processedOn", now)
  end
  redis.call("HINCRBY", jobKey, "ats", 1)
  return { redis.call("HGETALL", jobKey), jobId, 0, 0 }
end

local function moveToActive(prefix, token, lockDuration, now, limiterMax, limiterDuration, workerName)
  local settings, pausedOrMaxed = activationGate(prefix, now)
  local fetched = activateNext(prefix, token, lockDuration, now, limiterMax, limiterDuration, workerName, settings, pausedOrMaxed)
  if fetched[2] ~= 0 then
    redis.call("ZADD", KEYS[8], 0, "0")
  end
  return fetched
end

-- Up to one job per token (ARGV[firstToken ..]), each under its own lock, stopping at the first that cannot be
-- had. Returns { { job hash fields, job id, ... }, rate limit delay ms, next delayed due ms }.
local function moveJobsToActive(prefix, firstToken, lockDuration, now, limiterMax, limiterDuration, workerName)
  local settings, pausedOrMaxed = activationGate(prefix, now)
  local jobs = {}
  local result = { jobs, 0, 0 }
  for i = firstToken, #ARGV do
    if i > firstToken and settings[2] then
      pausedOrMaxed = redis.call("LLEN", KEYS[2]) >= tonumber(settings[2])
    end
    local fetched = activateNext(prefix, ARGV[i], lockDuration, now, limiterMax, limiterDuration, workerName, settings,
      pausedOrMaxed)
    if fetched[2] == 0 then
      result = { jobs, fetched[3], fetched[4] }
      break
    end
    jobs[#jobs + 1] = fetched[1]
    jobs[#jobs + 1] = fetched[2]
  end
  if #jobs > 0 then
    redis.call("ZADD", KEYS[8], 0, "0")
  end
  return result
end
