--[[
  Writes an accepted invocation's record with its lifetime and, when it has one, puts it last in its ordering line,
  in one step: neither a record that never expires nor a place in a line without a record is left behind. Does
  nothing (1) when the record exists.

  KEYS[1] the invocation record
  KEYS[2] its ordering line, when it has one

  ARGV[1] the invocation id
  ARGV[2] the lifetime of the record and the line in seconds
  ARGV[3 ..] the record's field/value pairs
]]
-- A repeat of a request that wrote both before Redis went away (and never added its job) keeps the acceptance time
-- and the one place in the line that request took.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
-- The line first: a key of the wrong type there fails the script before anything is written.
if #KEYS == 2 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
