--[[
  Returns Redis's maxmemory-policy, read from INFO: clients refuse INFO outside admin mode, a script may call it,
  and managed Redis services that refuse CONFIG GET allow it.
]]
return string.match(redis.call('INFO', 'memory'), 'maxmemory_policy:(%S+)')
