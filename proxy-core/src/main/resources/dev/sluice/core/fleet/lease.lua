-- A lease of tokens from one shared GCRA bucket (the state is one number: the theoretical arrival
-- time, TAT, at which the bucket would be full again; in microseconds of the Redis server's clock,
-- so replicas never compare their own clocks).
-- KEYS[1]: the bucket. ARGV[1]: microseconds per token; ARGV[2]: the bucket's size in microseconds
-- (burst x the first); ARGV[3]: tokens wanted.
-- Returns {tokens granted, tokens left in the bucket, microseconds until the next token,
-- microseconds until the bucket is full}. The key expires when the bucket would be full.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local emission = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local free = math.floor((capacity - (tat - now)) / emission)
local granted = math.max(0, math.min(want, free))
if granted > 0 then
  tat = tat + granted * emission
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.floor((tat - now) / 1000) + 1)
end
return {granted, math.max(0, free - granted), math.max(0, tat + emission - now - capacity), tat - now}
