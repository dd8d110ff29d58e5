--[[
  moveToActive for several jobs in one round trip: takes one job per lock token until the queue has none
  to give (empty, paused, at its concurrency or rate limit).
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc
  ARGV: 1 key prefix, 2 lock duration ms, 3 now ms, 4 limiter max (0 = none), 5 limiter duration ms,
        6 worker name or "", 7.. one lock token per job wanted
  Returns { { job hash fields, job id, ... }, rate limit delay ms, next delayed due ms }.
]]
--@include queueState
--@include activation
return moveJobsToActive(ARGV[1], 7, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6])
