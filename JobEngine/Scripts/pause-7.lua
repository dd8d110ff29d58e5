--[[
  Pauses or resumes the queue. v6 keeps paused jobs in wait; resume drains the legacy paused list.
  KEYS: 1 meta, 2 paused (legacy), 3 wait, 4 prioritized, 5 delayed, 6 marker, 7 events
  ARGV: 1 "paused" | "resumed"
]]
--@include queueState
if ARGV[1] == "paused" then
  redis.call("HSET", KEYS[1], "paused", 1)
  redis.call("DEL", KEYS[6])
else
  redis.call("HDEL", KEYS[1], "paused")
  while true do
    local legacy = redis.call("LRANGE", KEYS[2], 0, 6999)
    if #legacy == 0 then
      break
    end
    redis.call("RPUSH", KEYS[3], unpack(legacy))
    redis.call("LTRIM", KEYS[2], #legacy, -1)
  end
  if redis.call("LLEN", KEYS[3]) + redis.call("ZCARD", KEYS[4]) > 0 then
    redis.call("ZADD", KEYS[6], 0, "0")
  else
    addDelayMarkerIfNeeded(KEYS[6], KEYS[5])
  end
end
redis.call("XADD", KEYS[7], "MAXLEN", "~", getMaxEvents(KEYS[1]), "*", "event", ARGV[1])
return 0
