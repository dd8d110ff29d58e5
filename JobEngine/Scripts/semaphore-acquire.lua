--[[
  Takes a permit, or queues the caller as a waiter.
  ARGV: 3 lease token, 4 holder name, 5 lease ms, 6 waiter id ("" to only try), 7 priority, 8 waiter heartbeat ms.
  Returns {1, lease expiry ms} when admitted, else {0, ms until the earliest lease or heartbeat runs out}.
  A waiter is admitted only when its rank in the queue is below the number of free permits, so
  nobody overtakes a waiter of a better priority or an earlier waiter of the same priority.
]]
local token, holder, leaseMs = ARGV[3], ARGV[4], tonumber(ARGV[5])
local waiterId, priority, heartbeatMs = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])

local now = nowMs()
local limit = readLimit()
local evicted = evictExpired(now)
local free = limit - redis.call('ZCARD', holdersKey)
local queued = redis.call('ZCARD', waitersKey)

local admitted = false
if redis.call('ZSCORE', holdersKey, token) then
  -- A repeat of a call that took the permit but whose answer was lost (Redis went away): the permit is the caller's.
  admitted = true
  if waiterId ~= '' then
    redis.call('ZREM', waitersKey, waiterId)
    redis.call('ZREM', heartbeatsKey, waiterId)
  end
elseif waiterId == '' then
  admitted = queued < free
else
  local rank = redis.call('ZRANK', waitersKey, waiterId)
  if not rank then
    if queued < free then
      admitted = true
    else
      -- The sequence restarts with an empty queue so priority * 2^32 + sequence never overflows a double.
      local sequence
      if queued == 0 then
        sequence = 1
        redis.call('SET', sequenceKey, sequence)
      else
        sequence = redis.call('INCR', sequenceKey)
      end
      redis.call('ZADD', waitersKey, priority * 4294967296 + sequence, waiterId)
      rank = redis.call('ZRANK', waitersKey, waiterId)
    end
  end
  if not admitted and rank < free then
    admitted = true
  end
  if admitted then
    redis.call('ZREM', waitersKey, waiterId)
    redis.call('ZREM', heartbeatsKey, waiterId)
  else
    redis.call('ZADD', heartbeatsKey, now + heartbeatMs, waiterId)
  end
end

local expiry = now + leaseMs
if admitted then
  redis.call('ZADD', holdersKey, expiry, token)
  redis.call('HSET', ownersKey, token, now .. '|' .. holder)
end
if evicted > 0 then
  wakeAdmissible(limit)
end
if admitted then
  return {1, expiry}
end

-- The next moment something may run out without anyone telling: a lease, or a waiter's heartbeat.
local nextExpiry = -1
for _, key in ipairs({holdersKey, heartbeatsKey}) do
  local earliest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #earliest > 0 and (nextExpiry < 0 or tonumber(earliest[2]) < nextExpiry) then
    nextExpiry = tonumber(earliest[2])
  end
end
if nextExpiry < 0 then
  return {0, -1}
end
return {0, nextExpiry - now}
