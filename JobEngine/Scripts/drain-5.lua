--[[
  Empties wait and prioritized (and optionally delayed), keeping the run each job scheduler has queued next.
  KEYS: 1 wait, 2 prioritized, 3 delayed, 4 pc, 5 repeat
  ARGV: 1 key prefix, 2 include delayed "1"/"0"
  Returns the number of removed jobs.
]]
--@include queueState
local prefix = ARGV[1]
local removedCount = 0
-- Removes the jobs of ids but the pending runs of schedulers; returns those kept, in order.
local function drainIds(ids, remove)
  local kept = {}
  for _, jobId in ipairs(ids) do
    local jobKey = prefix .. jobId
    if isPendingSchedulerRun(jobId, redis.call("HGET", jobKey, "rjk"), KEYS[5]) then
      kept[#kept + 1] = jobId
    else
      remove(jobId)
      releaseDeduplicationOnRemoval(prefix, jobKey, jobId)
      removeJobKeys(jobKey)
      removedCount = removedCount + 1
    end
  end
  return kept
end
-- The wait list is rebuilt from what it keeps: an LREM per job would scan the list once for each of its jobs.
local keptWaiting = drainIds(redis.call("LRANGE", KEYS[1], 0, -1), function() end)
redis.call("DEL", KEYS[1])
for first = 1, #keptWaiting, 1000 do
  redis.call("RPUSH", KEYS[1], unpack(keptWaiting, first, math.min(first + 999, #keptWaiting)))
end
drainIds(redis.call("ZRANGE", KEYS[2], 0, -1), function(jobId) redis.call("ZREM", KEYS[2], jobId) end)
if ARGV[2] == "1" then
  drainIds(redis.call("ZRANGE", KEYS[3], 0, -1), function(jobId) redis.call("ZREM", KEYS[3], jobId) end)
end
if redis.call("ZCARD", KEYS[2]) == 0 then
  redis.call("DEL", KEYS[4])
end
return removedCount
