-- Storing and routing new jobs. Add key order: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized,
-- 6 pc, 7 events, 8 marker, 9 active. Its events cap the stream, so adding to a queue nobody consumes
-- cannot grow it without bound. Jobs stored by one script share what does not change within it: the
-- priority counter is read once and written back once, the pause gate and the marker are seen to once,
-- by finishAdds.
local function startAdds()
  return { priorityCounter = nil, routedToWait = false }
end

local function storeJob(adds, prefix, jobId, name, data, opts, timestamp, delay, priority, lifo, rjk, deid, maxEvents)
  local jobKey = prefix .. jobId
  local fields = { "name", name, "data", data, "opts", opts, "timestamp", timestamp, "delay", delay,
    "priority", priority }
  if rjk ~= "" then
    fields[#fields + 1] = "rjk"
    fields[#fields + 1] = rjk
  end
  if deid ~= "" then
    fields[#fields + 1] = "deid"
    fields[#fields + 1] = deid
  end
  redis.call("HSET", jobKey, unpack(fields))
  redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "added", "jobId", jobId, "name", name)

  if delay > 0 then
    addToDelayed(KEYS[4], KEYS[7], KEYS[8], jobId, timestamp + delay, maxEvents)
    return
  end

  if priority > 0 then
    adds.priorityCounter = (adds.priorityCounter or tonumber(redis.call("GET", KEYS[6]) or "0")) + 1
    redis.call("ZADD", KEYS[5], prioritizedScore(priority, adds.priorityCounter), jobId)
  elseif lifo then
    redis.call("RPUSH", KEYS[1], jobId)
  else
    redis.call("LPUSH", KEYS[1], jobId)
  end
  adds.routedToWait = true
  redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId)
end

local function finishAdds(adds)
  if adds.priorityCounter then
    redis.call("SET", KEYS[6], adds.priorityCounter)
  end
  if adds.routedToWait then
    addBaseMarkerIfNeeded(KEYS[8], isPausedOrMaxed(KEYS[2], KEYS[9]))
  end
end
