--[[
  Returns the current leases as a flat list: token, lease expiry ms, "acquiredMs|holder", ...
]]
local limit = peekLimit()
if evictExpired(nowMs()) > 0 then
  wakeAdmissible(limit)
end
local leases = redis.call('ZRANGE', holdersKey, 0, -1, 'WITHSCORES')
local result = {}
for i = 1, #leases, 2 do
  result[#result + 1] = leases[i]
  result[#result + 1] = leases[i + 1]
  result[#result + 1] = redis.call('HGET', ownersKey, leases[i]) or ''
end
return result
