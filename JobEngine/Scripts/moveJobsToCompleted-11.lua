--[[
  Completes several active jobs in one round trip, each exactly as moveToFinished-11 completes one, then
  activates up to one next job per lock token given.
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc,
        10 stalled, 11 completed
  ARGV: 1 key prefix, 2 now ms, 3 lock duration ms, 4 limiter max, 5 limiter duration ms, 6 worker name,
        7 n, the number of jobs, then 6 values per job: job id, return value JSON, lock token,
        keep count (-1 all, 0 none), keep age s (0 = any), prune limit;
        then one lock token per next job wanted
  Returns { { 0 or a negative error code per job }, { job hash fields, job id, ... }, rate limit delay ms,
            next delayed due ms }.
]]
--@include queueState
--@include storeJob
--@include activation
--@include finishing
local prefix = ARGV[1]
local now = tonumber(ARGV[2])
local count = tonumber(ARGV[7])
local maxEvents = getMaxEvents(KEYS[5])
local results = {}
for i = 0, count - 1 do
  local at = 8 + i * 6
  results[i + 1] = finishJob(prefix, ARGV[at], now, "returnvalue", ARGV[at + 1], "completed", ARGV[at + 2],
    tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5]), 0, "", maxEvents)
end
local firstToken = 8 + count * 6
if firstToken > #ARGV then
  addDrainedEventIfEmpty(maxEvents)
  return { results, {}, 0, 0 }
end
local fetched = moveJobsToActive(prefix, firstToken, tonumber(ARGV[3]), now, tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6])
return { results, fetched[1], fetched[2], fetched[3] }
