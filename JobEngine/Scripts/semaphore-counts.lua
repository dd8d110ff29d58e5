--[[
  Returns {limit, holders, waiters} after dropping expired holders and dead waiters.
]]
local limit = peekLimit()
if evictExpired(nowMs()) > 0 then
  wakeAdmissible(limit)
end
return {limit, redis.call('ZCARD', holdersKey), redis.call('ZCARD', waitersKey)}
