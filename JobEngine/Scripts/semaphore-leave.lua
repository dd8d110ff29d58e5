--[[
  Removes a waiter that gave up, and the permit its lease token may hold: an acquire of it whose answer was lost (Redis
  stalled or went away) may have taken one that nobody would renew or hand back. The waiters behind it move up and may
  now be admitted.
  ARGV: 3 waiter id, 4 lease token. Returns 1 if it was queued, else 0.
]]
local waiterId, token = ARGV[3], ARGV[4]

local removed = redis.call('ZREM', waitersKey, waiterId)
redis.call('ZREM', heartbeatsKey, waiterId)
redis.call('ZREM', holdersKey, token)
redis.call('HDEL', ownersKey, token)
evictExpired(nowMs())
wakeAdmissible(readLimit())
return removed
