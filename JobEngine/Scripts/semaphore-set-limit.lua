--[[
  Stores a new limit (ARGV[1]); a raised limit admits the waiters at the head of the queue at once.
]]
redis.call('SET', limitKey, ARGV[1])
evictExpired(nowMs())
wakeAdmissible(tonumber(ARGV[1]))
return 1
