/**
 * The Lua scripts of redis-admission.ts. Redis runs each atomically, so relays of a site never
 * both take the last lease; time is Redis's own (TIME), so the relays' clocks do not matter.
 * `redis.replicate_commands` lets a script write after TIME on Redis before 5 (a no-op after).
 */
const clock = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowMs = math.floor(nowUs / 1000)
`;

/**
 * KEYS: per scope, its leases (a sorted set: member → expiry ms) and its GCRA time (µs).
 * ARGV: member, lease ttl ms, then per scope max calls, interval µs, tolerance µs (-1: no limit).
 * Returns {0, 0} when admitted, else {scope index (1-based), 1 = concurrent | 2 = rate}.
 */
export const ADMIT = `${clock}
local member = ARGV[1]
local ttl = tonumber(ARGV[2])
local n = #KEYS / 2
local tats = {}
for i = 1, n do
  local base = 2 + (i - 1) * 3
  local maxCalls = tonumber(ARGV[base + 1])
  local interval = tonumber(ARGV[base + 2])
  local tolerance = tonumber(ARGV[base + 3])
  local leases = KEYS[2 * i - 1]
  if maxCalls >= 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', nowMs)
    if not redis.call('ZSCORE', leases, member) and redis.call('ZCARD', leases) >= maxCalls then
      return {i, 1}
    end
  end
  if interval >= 0 then
    local tat = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
    if tat < nowUs then tat = nowUs end
    if tat - nowUs > tolerance then return {i, 2} end
    tats[i] = tat + interval
  end
end
for i = 1, n do
  local base = 2 + (i - 1) * 3
  if tonumber(ARGV[base + 1]) >= 0 then
    redis.call('ZADD', KEYS[2 * i - 1], nowMs + ttl, member)
    redis.call('PEXPIRE', KEYS[2 * i - 1], ttl * 2)
  end
  if tats[i] then
    redis.call('SET', KEYS[2 * i], string.format('%.0f', tats[i]), 'PX', math.ceil((tats[i] - nowUs) / 1000) + 1000)
  end
end
return {0, 0}
`;

/** KEYS: lease sets; ARGV: ttl ms, then one member per key. Returns 1 per lease still held (extended), 0 per lease gone. */
export const RENEW = `${clock}
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[i + 1]) then
    redis.call('ZADD', KEYS[i], nowMs + ttl, ARGV[i + 1])
    redis.call('PEXPIRE', KEYS[i], ttl * 2)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;
