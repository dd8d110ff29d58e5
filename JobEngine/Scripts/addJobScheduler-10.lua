--[[
  Creates or replaces a job scheduler. An unchanged definition keeps its pending run, so
  re-upserting on every start (from any number of processes) never queues a slot twice.
  KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active, 10 repeat
  ARGV: 1 key prefix, 2 scheduler id, 3 first run millis, 4 job name, 5 data JSON, 6 template opts JSON,
        7 cron pattern or "", 8 every ms (0 = none), 9 time zone or "", 10 limit (0 = none), 11 now ms,
        12 iteration opts JSON
  Returns the id of the pending run.
]]
--@include queueState
--@include storeJob
local prefix = ARGV[1]
local schedulerId = ARGV[2]
local schedulerKey = prefix .. "repeat:" .. schedulerId
local pending = redis.call("ZSCORE", KEYS[10], schedulerId)
if pending then
  local current = redis.call("HMGET", schedulerKey, "pattern", "every", "tz", "limit")
  local pendingId = "repeat:" .. schedulerId .. ":" .. pending
  local unchanged = (current[1] or "") == ARGV[7] and (current[2] or "0") == ARGV[8] and (current[3] or "") == ARGV[9]
    and (current[4] or "0") == ARGV[10]
  if unchanged and redis.call("EXISTS", prefix .. pendingId) == 1 then
    redis.call("HSET", schedulerKey, "name", ARGV[4], "data", ARGV[5], "opts", ARGV[6])
    return pendingId
  end
  if redis.call("ZREM", KEYS[4], pendingId) == 1 or redis.call("ZREM", KEYS[5], pendingId) == 1
      or redis.call("LREM", KEYS[1], 0, pendingId) > 0 then
    removeJobKeys(prefix .. pendingId)
  end
end

redis.call("DEL", schedulerKey)
local fields = { "name", ARGV[4], "ic", 1, "data", ARGV[5], "opts", ARGV[6] }
if ARGV[7] ~= "" then
  fields[#fields + 1] = "pattern"
  fields[#fields + 1] = ARGV[7]
end
if ARGV[8] ~= "0" then
  fields[#fields + 1] = "every"
  fields[#fields + 1] = ARGV[8]
end
if ARGV[9] ~= "" then
  fields[#fields + 1] = "tz"
  fields[#fields + 1] = ARGV[9]
end
if ARGV[10] ~= "0" then
  fields[#fields + 1] = "limit"
  fields[#fields + 1] = ARGV[10]
end
redis.call("HSET", schedulerKey, unpack(fields))

local millis = tonumber(ARGV[3])
local now = tonumber(ARGV[11])
local jobId = "repeat:" .. schedulerId .. ":" .. ARGV[3]
redis.call("ZADD", KEYS[10], millis, schedulerId)
redis.call("INCR", KEYS[3])
local maxEvents = getMaxEvents(KEYS[2])
if redis.call("EXISTS", prefix .. jobId) == 0 then
  local opts = cjson.decode(ARGV[12])
  local delay = millis - now
  if delay < 0 then
    delay = 0
  end
  local adds = startAdds(addScriptKeys())
  storeJob(adds, prefix, jobId, ARGV[4], ARGV[5], ARGV[12], now, delay, tonumber(opts["priority"]) or 0,
    opts["lifo"] == true, schedulerId, "", maxEvents)
  finishAdds(adds)
end
return jobId
