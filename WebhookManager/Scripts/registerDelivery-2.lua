--[[
  Creates the record of a new delivery and marks its invocation pending, unless the record exists (the job
  is run again); either way returns the record, so registering and reading it cost one round trip.

  KEYS[1] the delivery hash
  KEYS[2] the invocation hash

  ARGV[1] the invocation record's retention in seconds, set only when it has none
  ARGV[2] n, the number of delivery fields
  ARGV[3 .. 2 + 2n] the delivery's field/value pairs
  ARGV[3 + 2n ..] the invocation's field/value pairs
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  local deliveryEnd = 2 + 2 * tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], unpack(ARGV, 3, deliveryEnd))
  redis.call('HSET', KEYS[2], unpack(ARGV, deliveryEnd + 1))
  redis.call('EXPIRE', KEYS[2], ARGV[1], 'NX')
end
return redis.call('HGETALL', KEYS[1])
