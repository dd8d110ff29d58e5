--[[
  Enables an endpoint for one client, or for every client, and takes it out of the index once no client has it
  disabled, in one step: a client disabling it meanwhile is either seen here or comes after, and stays listed.

  KEYS[1] the endpoint's hash of disabled clients (client id -> since ms)
  KEYS[2] the index of disabled endpoints

  ARGV[1] the endpoint
  ARGV[2] the client id; none for every client

  Returns how many clients it was enabled for.
]]
local enabled
if #ARGV == 1 then
  enabled = redis.call("HLEN", KEYS[1])
  redis.call("DEL", KEYS[1])
else
  enabled = redis.call("HDEL", KEYS[1], ARGV[2])
end
if redis.call("EXISTS", KEYS[1]) == 0 then
  redis.call("SREM", KEYS[2], ARGV[1])
end
return enabled
