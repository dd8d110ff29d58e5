--[[
  Adds jobs atomically, each as an add of its own would: counter, id resolution, duplicate check,
  deduplication, store, route. One call carries many jobs so that Redis runs the script once for them all.
  KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 events, 8 marker, 9 active
  ARGV: 1 key prefix, then 10 per job: custom job id or "", name, data JSON, opts JSON, timestamp,
        delay ms, priority, lifo "1"/"0", dedup id or "", dedup ttl ms (0 = none)
  Returns the job ids in order (the existing owner's id on a duplicate or deduplication hit).
]]
--@include queueState
--@include storeJob
local prefix = ARGV[1]
local maxEvents = getMaxEvents(KEYS[2])
local adds = startAdds(addScriptKeys())
-- Every add takes a number from the id counter, as one add at a time would; one INCRBY hands them all out.
local jobCount = (#ARGV - 1) / 10
local counter = redis.call("INCRBY", KEYS[3], jobCount) - jobCount

local function addJob(customId, name, data, opts, timestamp, delay, priority, lifo, deid, dedupTtl)
  counter = counter + 1
  local jobId = customId
  if jobId == "" then
    jobId = tostring(counter)
  elseif redis.call("EXISTS", prefix .. jobId) == 1 then
    redis.call("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "duplicated", "jobId", jobId)
    return jobId
  end

  if deid ~= "" then
    local dedupKey = prefix .. "de:" .. deid
    local ttl = tonumber(dedupTtl)
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

  storeJob(adds, prefix, jobId, name, data, opts, tonumber(timestamp), tonumber(delay), tonumber(priority), lifo == "1", "", deid, maxEvents)
  return jobId
end

local ids = {}
for at = 2, #ARGV, 10 do
  ids[#ids + 1] = addJob(ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], ARGV[at + 5], ARGV[at + 6],
    ARGV[at + 7], ARGV[at + 8], ARGV[at + 9])
end
finishAdds(adds)
return ids
