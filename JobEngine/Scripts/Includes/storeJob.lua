-- Storing and routing a new job. Add key order: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized,
-- 6 pc, 7 events, 8 marker, 9 active. Its events cap the stream, so adding to a queue nobody consumes
-- cannot grow it without bound.
local function storeJob(prefix, jobId, name, data, opts, timestamp, delay, priority, lifo, rjk, deid, maxEvents)
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

  local pausedOrMaxed = isPausedOrMaxed(KEYS[2], KEYS[9])
  if priority > 0 then
    addToPrioritized(KEYS[5], KEYS[6], jobId, priority)
  elseif lifo then
    redis.call("RPUSH", KEYS[1], jobId)
  else
    redis.call("LPUSH", KEYS[1], jobId)
  end
  addBaseMarkerIfNeeded(KEYS[8], pausedOrMaxed)
  redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId)
end
