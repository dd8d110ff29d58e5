--[[
  Adds one job atomically: counter, id resolution, duplicate check, deduplication, store, route.
  KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active
  ARGV: 1 key prefix, 2 custom job id or "", 3 name, 4 data JSON, 5 opts JSON, 6 timestamp,
        7 delay ms, 8 priority, 9 lifo "1"/"0", 10 dedup id or "", 11 dedup ttl ms (0 = none)
  Returns the job id (the existing owner's id on a duplicate or deduplication hit).
]]
--@include queueState
--@include storeJob
local prefix = ARGV[1]
local counter = redis.call("INCR", KEYS[3])
local maxEvents = getMaxEvents(KEYS[2])

local jobId = ARGV[2]
if jobId == "" then
  jobId = tostring(counter)
elseif redis.call("EXISTS", prefix .. jobId) == 1 then
  redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "duplicated", "jobId", jobId)
  return jobId
end

local deid = ARGV[10]
if deid ~= "" then
  local dedupKey = prefix .. "de:" .. deid
  local ttl = tonumber(ARGV[11])
  local claimed
  if ttl > 0 then
    claimed = redis.call("SET", dedupKey, jobId, "PX", ttl, "NX")
  else
    claimed = redis.call("SET", dedupKey, jobId, "NX")
  end
  if not claimed then
    local owner = redis.call("GET", dedupKey)
    redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "deduplicated", "jobId", owner, "deduplicationId", deid,
      "deduplicatedJobId", jobId)
    return owner
  end
end

storeJob(prefix, jobId, ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]),
  ARGV[9] == "1", "", deid, maxEvents)
return jobId
