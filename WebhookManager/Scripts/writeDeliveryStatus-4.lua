--[[
  Moves a delivery to a new status in one step: appends the attempt (when one was made), writes the delivery's
  and its invocation's fields, and keeps the dead letter index and the records' lifetimes in line with the status.

  KEYS[1] the delivery hash
  KEYS[2] the delivery's attempt list
  KEYS[3] the invocation hash
  KEYS[4] the dead letter index (delivery id -> died at ms)

  ARGV[1] the delivery id
  ARGV[2] the new status: dead, delivered, or another (pending, retrying)
  ARGV[3] the attempt as JSON, or "" when none was made
  ARGV[4] the attempt's number, or 0 when none was made
  ARGV[5] the retention of delivered and invocation records in seconds
  ARGV[6] the retention of dead deliveries in seconds
  ARGV[7] now in ms, the dead letter score
  ARGV[8] "1" to drop the delivery's next attempt time
  ARGV[9] n, the number of delivery fields
  ARGV[10 .. 9 + 2n] the delivery's field/value pairs
  ARGV[10 + 2n ..] the invocation's field/value pairs

  Returns 0, or 1 when the attempt is recorded already: a repeat of a write whose answer was lost changes nothing.
]]
if ARGV[3] ~= '' then
  if tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0') >= tonumber(ARGV[4]) then
    return 1
  end
  redis.call('RPUSH', KEYS[2], ARGV[3])
end
if ARGV[8] == '1' then
  redis.call('HDEL', KEYS[1], 'nextAttemptAt')
end
local deliveryEnd = 9 + 2 * tonumber(ARGV[9])
redis.call('HSET', KEYS[1], unpack(ARGV, 10, deliveryEnd))
redis.call('HSET', KEYS[3], unpack(ARGV, deliveryEnd + 1))
redis.call('EXPIRE', KEYS[3], ARGV[5], 'NX')
-- Lifetimes last, once every key exists: the first change of a new delivery creates its record.
if ARGV[2] == 'dead' then
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
else
  -- Only an attempt (made or postponed) writes another status, and a redrive queues it before taking the delivery out
  -- of the index: one cut short between the two is taken out here, or it would be counted dead until the retention.
  redis.call('ZREM', KEYS[4], ARGV[1])
  if ARGV[2] == 'delivered' then
    redis.call('EXPIRE', KEYS[1], ARGV[5])
    redis.call('EXPIRE', KEYS[2], ARGV[5])
  end
end
return 0
