--[[
  Removes a job from whatever state it is in, unless it is locked or is a scheduler's pending run.
  KEYS: 1 wait, 2 active, 3 delayed, 4 prioritized, 5 completed, 6 failed, 7 waiting-children,
        8 paused, 9 repeat, 10 events
  ARGV: 1 key prefix, 2 job id
  Returns 1 removed, 0 locked or missing, -8 pending scheduler iteration.
]]
--@include queueState
local prefix = ARGV[1]
local jobId = ARGV[2]
local jobKey = prefix .. jobId
if redis.call("EXISTS", jobKey) == 0 or redis.call("EXISTS", jobKey .. ":lock") == 1 then
  return 0
end
local rjk = redis.call("HGET", jobKey, "rjk")
if rjk then
  local pending = redis.call("ZSCORE", KEYS[9], rjk)
  if pending and ("repeat:" .. rjk .. ":" .. pending) == jobId then
    return -8
  end
end
local prev = "unknown"
local zsets = { { KEYS[3], "delayed" }, { KEYS[4], "prioritized" }, { KEYS[5], "completed" },
  { KEYS[6], "failed" }, { KEYS[7], "waiting-children" } }
for _, entry in ipairs(zsets) do
  if redis.call("ZREM", entry[1], jobId) > 0 then
    prev = entry[2]
  end
end
-- BullMQ names the wait list "wait" in prev (its getState says "waiting").
local lists = { { KEYS[1], "wait" }, { KEYS[2], "active" }, { KEYS[8], "paused" } }
for _, entry in ipairs(lists) do
  if redis.call("LREM", entry[1], 0, jobId) > 0 then
    prev = entry[2]
  end
end
releaseDeduplicationOnRemoval(prefix, jobKey, jobId)
removeJobKeys(jobKey)
redis.call("XADD", KEYS[10], "MAXLEN", "~", getMaxEvents(prefix .. "meta"), "*", "event", "removed", "jobId", jobId, "prev", prev)
return 1
