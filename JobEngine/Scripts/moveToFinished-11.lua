--[[
  Completes or fails an active job: lock check, keep policy with pruning, events, and optionally
  the next job in the same round trip.
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc,
        10 stalled, 11 target set (completed | failed)
  ARGV: 1 key prefix, 2 job id, 3 now ms, 4 field (returnvalue | failedReason), 5 value,
        6 target name, 7 lock token, 8 keep count (-1 all, 0 none), 9 keep age s (0 = any),
        10 prune limit, 11 attempts, 12 fetch next "1"/"0", 13 lock duration ms,
        14 limiter max, 15 limiter duration ms, 16 worker name, 17 stacktrace JSON or "",
        18 lock token for the next job
  Returns 0, a negative error code, or the moveToActive tuple when fetching next.
]]
--@include queueState
--@include storeJob
--@include activation
--@include finishing
local now = tonumber(ARGV[3])
local maxEvents = getMaxEvents(KEYS[5])
local finished = finishJob(ARGV[1], ARGV[2], now, ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]),
  tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), ARGV[17], maxEvents)
if finished < 0 then
  return finished
end
if ARGV[12] == "1" then
  return moveToActive(ARGV[1], ARGV[18], tonumber(ARGV[13]), now, tonumber(ARGV[14]), tonumber(ARGV[15]), ARGV[16])
end
addDrainedEventIfEmpty(maxEvents)
return 0
