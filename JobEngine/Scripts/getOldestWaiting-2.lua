--[[
  Since when the job waiting longest has waited (ms): its creation, or when it last went back to wait (promoted from
  delayed, retried, reprocessed, found stalled); false when nothing waits. The wait list's oldest is its tail.
  Prioritized jobs are ordered by priority, then by when each became prioritized, so the oldest of each priority
  heads its band of scores: one step per priority present finds them all, however long the bands are.
  KEYS: 1 wait, 2 prioritized
  ARGV: 1 the queue's key base (a job's hash is base .. id)
]]
local oldest
local function consider(jobId)
  local times = redis.call("HMGET", ARGV[1] .. jobId, "timestamp", "rqo")
  local since = tonumber(times[1])
  local requeued = tonumber(times[2])
  if since and requeued and requeued > since then
    since = requeued
  end
  if since and (oldest == nil or since < oldest) then
    oldest = since
  end
end

local tail = redis.call("LINDEX", KEYS[1], -1)
if tail then
  consider(tail)
end
-- A priority's band of scores (see queueState.lua); bands are bounded in full digits, which Lua's own number
-- formatting would round.
local band = 0x100000000
local from = "-inf"
while true do
  local head = redis.call("ZRANGEBYSCORE", KEYS[2], from, "+inf", "WITHSCORES", "LIMIT", 0, 1)
  if #head == 0 then
    break
  end
  consider(head[1])
  from = string.format("%.0f", (math.floor(tonumber(head[2]) / band) + 1) * band)
end
return oldest or false
