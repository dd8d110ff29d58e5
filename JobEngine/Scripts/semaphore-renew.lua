--[[
  Extends a lease that is still valid; also used to re-attach to a persisted lease token.
  ARGV: 3 lease token, 4 lease ms, 5 new holder name ("" keeps the current one).
  Returns the new expiry ms, or 0 when the lease is gone or already ran out.
]]
local token, leaseMs, holder = ARGV[3], tonumber(ARGV[4]), ARGV[5]

local now = nowMs()
local expiry = redis.call('ZSCORE', holdersKey, token)
if not expiry or tonumber(expiry) <= now then
  if evictExpired(now) > 0 then
    wakeAdmissible(readLimit())
  end
  return 0
end

local newExpiry = now + leaseMs
redis.call('ZADD', holdersKey, 'XX', newExpiry, token)
if holder ~= '' then
  local owner = redis.call('HGET', ownersKey, token) or ''
  local acquired = string.match(owner, '^(%d+)|') or tostring(now)
  redis.call('HSET', ownersKey, token, acquired .. '|' .. holder)
end
return newExpiry
