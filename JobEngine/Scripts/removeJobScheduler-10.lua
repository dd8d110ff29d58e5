--[[
  Removes a scheduler, its definition and its pending run (unless that run is already active).
  KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active, 10 repeat
  ARGV: 1 key prefix, 2 scheduler id
  Returns 1 when the scheduler existed, else 0.
]]
--@include queueState
local prefix = ARGV[1]
local schedulerId = ARGV[2]
local pending = redis.call("ZSCORE", KEYS[10], schedulerId)
local existed = redis.call("DEL", prefix .. "repeat:" .. schedulerId)
if pending then
  redis.call("ZREM", KEYS[10], schedulerId)
  existed = 1
  local pendingId = "repeat:" .. schedulerId .. ":" .. pending
  local prev
  if redis.call("ZREM", KEYS[4], pendingId) == 1 then
    prev = "delayed"
  elseif redis.call("LREM", KEYS[1], 0, pendingId) > 0 then
    prev = "wait"
  elseif redis.call("ZREM", KEYS[5], pendingId) == 1 then
    prev = "prioritized"
  end
  if prev then
    removeJobKeys(prefix .. pendingId)
    redis.call("XADD", KEYS[7], "*", "event", "removed", "jobId", pendingId, "prev", prev)
  end
end
return existed
