--[[
  Counts jobs per state in one consistent snapshot.
  KEYS: 1 wait, 2 active, 3 delayed, 4 prioritized, 5 completed, 6 failed, 7 waiting-children, 8 paused
  Returns the counts in key order (waiting includes the legacy paused list).
]]
return { redis.call("LLEN", KEYS[1]) + redis.call("LLEN", KEYS[8]), redis.call("LLEN", KEYS[2]),
  redis.call("ZCARD", KEYS[3]), redis.call("ZCARD", KEYS[4]), redis.call("ZCARD", KEYS[5]),
  redis.call("ZCARD", KEYS[6]), redis.call("ZCARD", KEYS[7]) }
