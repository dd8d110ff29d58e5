--[[
  Promotes due delayed jobs, applies the rate limit and pause/concurrency gate, then takes the next
  job (wait before prioritized) into active under a lock.
  KEYS: 1 wait, 2 active, 3 prioritized, 4 events, 5 meta, 6 limiter, 7 delayed, 8 marker, 9 pc
  ARGV: 1 key prefix, 2 lock token ("0" = no lock), 3 lock duration ms, 4 now ms,
        5 limiter max (0 = none), 6 limiter duration ms, 7 worker name or ""
  Returns { job hash fields | 0, job id | 0, rate limit delay ms, next delayed due ms }.
]]
--@include queueState
--@include activation
return moveToActive(ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]), ARGV[7])
