--[[
  Returns a permit and wakes the waiters that may now take one.
  ARGV: 3 lease token. Returns 1 if the lease was still held, else 0.
]]
local token = ARGV[3]

local removed = redis.call('ZREM', holdersKey, token)
redis.call('HDEL', ownersKey, token)
evictExpired(nowMs())
wakeAdmissible(readLimit())
return removed
