--[[
  Notes a run as its schedule's last, with the start its record was made with, unless the schedule is gone or a later
  run is noted already: a run taken up again after a crash is noted then, and a run taken up late never hides a later one.

  KEYS[1] the schedule hash
  KEYS[2] the run's invocation hash

  ARGV[1] the schedule's field of the last run's invocation id
  ARGV[2] the schedule's field of the last run's start (ms)
  ARGV[3] the invocation's field of its start (ms)
  ARGV[4] the run's invocation id

  Returns 1 when noted, 0 when a later run is noted, -1 when the schedule is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local started = tonumber(redis.call('HGET', KEYS[2], ARGV[3]))
if not started then
  return 0
end
local noted = tonumber(redis.call('HGET', KEYS[1], ARGV[2]))
if noted and noted > started then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4], ARGV[2], started)
return 1
