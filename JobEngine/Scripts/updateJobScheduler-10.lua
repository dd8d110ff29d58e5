--[[
  Queues a scheduler's next run; called by the worker that activated the current run. Only the
  run the scheduler points at may advance it, and an existing next job is never created again,
  so concurrent workers cannot fire one slot twice.
  KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active, 10 repeat
  ARGV: 1 key prefix, 2 scheduler id, 3 current run millis, 4 next run millis, 5 now ms, 6 next run opts JSON
  Returns the next run's id, or "" when nothing was queued.
]]
--@include queueState
--@include storeJob
local prefix = ARGV[1]
local schedulerId = ARGV[2]
local schedulerKey = prefix .. "repeat:" .. schedulerId
local pending = redis.call("ZSCORE", KEYS[10], schedulerId)
if not pending or tonumber(pending) ~= tonumber(ARGV[3]) then
  return ""
end
local nextId = "repeat:" .. schedulerId .. ":" .. ARGV[4]
if redis.call("EXISTS", prefix .. nextId) == 1 then
  redis.call("XADD", KEYS[7], "MAXLEN", "~", getMaxEvents(KEYS[2]), "*", "event", "duplicated", "jobId", nextId)
  return ""
end
local scheduler = redis.call("HMGET", schedulerKey, "name", "data", "limit", "ic")
if not scheduler[1] then
  return ""
end
if scheduler[3] and tonumber(scheduler[4] or "0") >= tonumber(scheduler[3]) then
  return ""
end
local millis = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
redis.call("ZADD", KEYS[10], millis, schedulerId)
redis.call("HINCRBY", schedulerKey, "ic", 1)
redis.call("INCR", KEYS[3])
local maxEvents = getMaxEvents(KEYS[2])
local opts = cjson.decode(ARGV[6])
local delay = millis - now
if delay < 0 then
  delay = 0
end
local adds = startAdds(addScriptKeys())
storeJob(adds, prefix, nextId, scheduler[1], scheduler[2] or "{}", ARGV[6], now, delay, tonumber(opts["priority"]) or 0,
  opts["lifo"] == true, schedulerId, "", maxEvents)
finishAdds(adds)
return nextId
