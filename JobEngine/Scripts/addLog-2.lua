--[[
  KEYS: 1 job hash, 2 job logs
  ARGV: 1 log line, 2 lines to keep (0 = all)
  Returns the number of log lines, or -1 when the job is gone.
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -1
end
local count = redis.call("RPUSH", KEYS[2], ARGV[1])
local keep = tonumber(ARGV[2])
if keep > 0 and count > keep then
  redis.call("LTRIM", KEYS[2], -keep, -1)
  count = keep
end
return count
