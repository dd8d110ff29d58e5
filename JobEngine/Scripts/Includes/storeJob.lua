-- Storing and routing new jobs, into the keys a script names with startAdds (addScriptKeys: the order of the add
-- scripts, 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active). Its events cap the
-- stream, so adding to a queue nobody consumes cannot grow it without bound. Jobs stored by one script share what does
-- not change within it: the priority counter is read once and written back once, the pause gate and the marker are
-- seen to once, by finishAdds.
local function addScriptKeys()
  return { wait = KEYS[1], meta = KEYS[2], delayed = KEYS[4], prioritized = KEYS[5], pc = KEYS[6], events = KEYS[7],
    marker = KEYS[8], active = KEYS[9] }
end

local function startAdds(keys)
  return { keys = keys, priorityCounter = nil, routedToWait = false }
end

local function storeJob(adds, prefix, jobId, name, data, opts, timestamp, delay, priority, lifo, rjk, deid, maxEvents)
  local keys = adds.keys
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
  redis.call("XADD", keys.events, "MAXLEN", "~", maxEvents, "*", "event", "added", "jobId", jobId, "name", name)

  if delay > 0 then
    addToDelayed(keys.delayed, keys.events, keys.marker, jobId, timestamp + delay, maxEvents)
    return
  end

  if priority > 0 then
    adds.priorityCounter = (adds.priorityCounter or tonumber(redis.call("GET", keys.pc) or "0")) + 1
    redis.call("ZADD", keys.prioritized, prioritizedScore(priority, adds.priorityCounter), jobId)
  elseif lifo then
    redis.call("RPUSH", keys.wait, jobId)
  else
    redis.call("LPUSH", keys.wait, jobId)
  end
  adds.routedToWait = true
  redis.call("XADD", keys.events, "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId)
end

local function finishAdds(adds)
  local keys = adds.keys
  if adds.priorityCounter then
    redis.call("SET", keys.pc, adds.priorityCounter)
  end
  if adds.routedToWait then
    addBaseMarkerIfNeeded(keys.marker, isPausedOrMaxed(keys.meta, keys.active))
  end
end
