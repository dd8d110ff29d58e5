--[[
  Removes a waiter that gave up; the waiters behind it move up and may now be admitted.
  ARGV: 3 waiter id. Returns 1 if it was queued, else 0.
]]
local waiterId = ARGV[3]

local removed = redis.call('ZREM', waitersKey, waiterId)
redis.call('ZREM', heartbeatsKey, waiterId)
evictExpired(nowMs())
wakeAdmissible(readLimit())
return removed
