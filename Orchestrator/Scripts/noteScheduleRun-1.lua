--[[
  Notes a run as its schedule's last, unless the schedule is gone or a later run is noted already: a run taken up
  again after a crash is noted then, and a run taken up late never hides a later one.

  KEYS[1] the schedule hash

  ARGV[1] the field of the last run's invocation id
  ARGV[2] the field of the last run's start (ms)
  ARGV[3] the run's invocation id
  ARGV[4] the run's start (ms)

  Returns 1 when noted, 0 otherwise.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local noted = tonumber(redis.call('HGET', KEYS[1], ARGV[2]))
if noted and noted > tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], ARGV[2], ARGV[4])
return 1
