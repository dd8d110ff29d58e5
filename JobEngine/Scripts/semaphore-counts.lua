--[[
  Returns {limit, holders, waiters} after dropping expired holders and dead waiters. A reader stores no limit: one
  configured otherwise (a gateway showing the counts) would set the limit of every process using the semaphore.
]]
local limit = tonumber(redis.call('GET', limitKey)) or tonumber(ARGV[1])
if evictExpired(nowMs()) > 0 then
  wakeAdmissible(limit)
end
return {limit, redis.call('ZCARD', holdersKey), redis.call('ZCARD', waitersKey)}
