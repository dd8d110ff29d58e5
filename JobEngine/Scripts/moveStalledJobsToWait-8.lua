--[[
  The shared stalled sweep, at most once per interval across all workers: jobs that stayed in
  active for a whole interval without a lock go back to wait (marked for failure past the limit),
  then active is snapshotted for the next sweep.
  KEYS: 1 stalled, 2 wait, 3 active, 4 stalled-check, 5 meta, 6 events, 7 marker, 8 repeat
  ARGV: 1 key prefix, 2 max stalled count, 3 now ms, 4 stalled interval ms
  Returns the ids moved back to wait.
]]
--@include queueState
local prefix = ARGV[1]
if redis.call("EXISTS", KEYS[4]) == 1 then
  return {}
end
redis.call("SET", KEYS[4], ARGV[3], "PX", ARGV[4])
local maxEvents = getMaxEvents(KEYS[5])
redis.call("XTRIM", KEYS[6], "MAXLEN", "~", maxEvents)

local moved = {}
local suspects = redis.call("SMEMBERS", KEYS[1])
if #suspects > 0 then
  redis.call("DEL", KEYS[1])
  local maxStalled = tonumber(ARGV[2])
  for _, jobId in ipairs(suspects) do
    local jobKey = prefix .. jobId
    if string.sub(jobId, 1, 2) ~= "0:" and redis.call("EXISTS", jobKey .. ":lock") == 0
        and redis.call("LREM", KEYS[3], 1, jobId) > 0 then
      local stalledCount = redis.call("HINCRBY", jobKey, "stc", 1)
      if stalledCount > maxStalled then
        local rjk = redis.call("HGET", jobKey, "rjk")
        local scheduled = rjk and (redis.call("EXISTS", prefix .. "repeat:" .. rjk) == 1
          or redis.call("ZSCORE", KEYS[8], rjk))
        if not scheduled then
          redis.call("HSET", jobKey, "defa", "job stalled more than allowable limit")
        end
      end
      redis.call("RPUSH", KEYS[2], jobId)
      markRequeued(jobKey, ARGV[3])
      redis.call("XADD", KEYS[6], "*", "event", "waiting", "jobId", jobId, "prev", "active")
      redis.call("XADD", KEYS[6], "*", "event", "stalled", "jobId", jobId)
      moved[#moved + 1] = jobId
    end
  end
  if #moved > 0 then
    addBaseMarkerIfNeeded(KEYS[7], isPausedOrMaxed(KEYS[5], KEYS[3]))
  end
end

local active = redis.call("LRANGE", KEYS[3], 0, -1)
for i = 1, #active, 5000 do
  redis.call("SADD", KEYS[1], unpack(active, i, math.min(i + 4999, #active)))
end
return moved
