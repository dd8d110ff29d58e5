--[[
  Creates the record of a new delivery and marks its invocation pending, unless the record exists (the job
  is run again); either way returns the record and whether the client disabled the endpoint, so a new
  delivery costs one round trip before its request.

  KEYS[1] the delivery hash
  KEYS[2] the invocation hash
  KEYS[3] the disabled-endpoint hash of the delivery's endpoint (client id -> since)

  ARGV[1] the invocation record's retention in seconds, set only when it has none
  ARGV[2] the client id
  ARGV[3] n, the number of delivery fields
  ARGV[4 .. 3 + 2n] the delivery's field/value pairs
  ARGV[4 + 2n ..] the invocation's field/value pairs

  Returns { the record's field/value pairs, 1 when the endpoint is disabled for the client else 0 }.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  local deliveryEnd = 3 + 2 * tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], unpack(ARGV, 4, deliveryEnd))
  redis.call('HSET', KEYS[2], unpack(ARGV, deliveryEnd + 1))
  redis.call('EXPIRE', KEYS[2], ARGV[1], 'NX')
end
return { redis.call('HGETALL', KEYS[1]), redis.call('HEXISTS', KEYS[3], ARGV[2]) }
