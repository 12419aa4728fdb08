-- One replica's heartbeat, with what it publishes for the fleet.
-- KEYS[1]: a hash of replica id -> "<Redis time in ms> <payload>". ARGV[1]: this replica's id;
-- ARGV[2]: how long (ms) a silent replica still counts; ARGV[3]: this replica's payload.
-- Drops the entries of replicas silent for longer, and returns the rest as {id, payload, ...}
-- (this replica's own included). The hash expires when every replica has gone silent.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now) .. ' ' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window * 2)
local all = redis.call('HGETALL', KEYS[1])
local alive = {}
for i = 1, #all, 2 do
  local at, payload = string.match(all[i + 1], '^(%d+) ?(.*)$')
  if at and now - tonumber(at) <= window then
    table.insert(alive, all[i])
    table.insert(alive, payload)
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return alive
