--[[
  Shared by every semaphore script (prepended before loading).
  KEYS: 1 limit, 2 holders (zset token -> lease expiry ms), 3 owners (hash token -> "acquiredMs|holder"),
        4 waiters (zset waiter id -> priority * 2^32 + sequence), 5 waiter heartbeats (zset id -> expiry ms),
        6 sequence.
  ARGV[1] is the limit to start with when none is stored, ARGV[2] the wake-up channel.
]]
local limitKey, holdersKey, ownersKey, waitersKey, heartbeatsKey, sequenceKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local wakeChannel = ARGV[2]

local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- The limit in force, without storing one: what a reader of the semaphore (counts, holders) goes by, since a reader
-- configured differently (a gateway showing the counts) must not set the limit of every process using it.
local function peekLimit()
  return tonumber(redis.call('GET', limitKey)) or tonumber(ARGV[1])
end

-- The limit in force, stored from ARGV[1] by the first user of the semaphore.
local function readLimit()
  local stored = redis.call('GET', limitKey)
  if stored then
    return tonumber(stored)
  end
  redis.call('SET', limitKey, ARGV[1])
  return tonumber(ARGV[1])
end

-- Drops holders whose lease ran out and waiters whose heartbeat stopped; returns how many went.
local function evictExpired(now)
  local expired = redis.call('ZRANGEBYSCORE', holdersKey, '-inf', now)
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', holdersKey, '-inf', now)
    redis.call('HDEL', ownersKey, unpack(expired))
  end
  local dead = redis.call('ZRANGEBYSCORE', heartbeatsKey, '-inf', now)
  if #dead > 0 then
    redis.call('ZREMRANGEBYSCORE', heartbeatsKey, '-inf', now)
    redis.call('ZREM', waitersKey, unpack(dead))
  end
  return #expired + #dead
end

-- Tells every waiter that would be admitted now (its rank is below the free permits) to try.
local function wakeAdmissible(limit)
  local free = limit - redis.call('ZCARD', holdersKey)
  if free <= 0 then
    return
  end
  local heads = redis.call('ZRANGE', waitersKey, 0, free - 1)
  for i = 1, #heads do
    redis.call('PUBLISH', wakeChannel, heads[i])
  end
end
