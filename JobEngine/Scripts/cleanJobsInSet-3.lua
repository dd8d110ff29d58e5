--[[
  Removes up to limit jobs of one state that are older than a timestamp, skipping locked jobs and unfinished pending
  scheduler runs. A job's age is told as BullMQ tells it: by finishedOn for finished jobs, by its last attempt
  (processedOn, else creation) for waiting, paused and delayed ones, and by its creation for prioritized ones.
  KEYS: 1 state container (list or zset), 2 events, 3 repeat
  ARGV: 1 key prefix, 2 max timestamp ms, 3 limit, 4 "finished" | "attempted" | "created"
  Returns the removed ids.
]]
--@include queueState
local prefix = ARGV[1]
local maxTimestamp = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local isList = redis.call("TYPE", KEYS[1])["ok"] == "list"
-- A finished run is never one to keep for its scheduler, though an ended scheduler (limit, end date) still points at it.
local finished = ARGV[4] == "finished"
local candidates
if isList then
  candidates = redis.call("LRANGE", KEYS[1], 0, -1)
elseif finished then
  candidates = redis.call("ZRANGEBYSCORE", KEYS[1], 0, maxTimestamp)
else
  candidates = redis.call("ZRANGE", KEYS[1], 0, -1)
end
-- A removed list entry is overwritten with a marker no job id can equal (ids hold no ':'), and the markers go in one
-- LREM at the end: an LREM per job would scan the list once for each.
local removedMarker = "removed:by-clean"
local removed = {}
-- A list is cleaned from its right end, where the jobs that have waited longest are (as BullMQ cleans it); a zset from
-- its lowest score.
local first, last, step = 1, #candidates, 1
if isList then
  first, last, step = #candidates, 1, -1
end
for index = first, last, step do
  local jobId = candidates[index]
  if #removed >= limit then
    break
  end
  local jobKey = prefix .. jobId
  local fields = redis.call("HMGET", jobKey, "timestamp", "finishedOn", "rjk", "processedOn")
  local stamp = tonumber(fields[1]) or 0
  if finished then
    stamp = tonumber(fields[2]) or stamp
  elseif ARGV[4] == "attempted" then
    stamp = tonumber(fields[4]) or stamp
  end
  if stamp <= maxTimestamp and redis.call("EXISTS", jobKey .. ":lock") == 0
      and (finished or not isPendingSchedulerRun(jobId, fields[3], KEYS[3])) then
    if isList then
      redis.call("LSET", KEYS[1], index - 1, removedMarker)
    else
      redis.call("ZREM", KEYS[1], jobId)
    end
    releaseDeduplicationOnRemoval(prefix, jobKey, jobId)
    removeJobKeys(jobKey)
    removed[#removed + 1] = jobId
  end
end
if isList and #removed > 0 then
  redis.call("LREM", KEYS[1], 0, removedMarker)
end
redis.call("XADD", KEYS[2], "*", "event", "cleaned", "count", #removed)
return removed
