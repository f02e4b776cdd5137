/**
 * The Lua scripts of redis-health-store.ts. Redis runs each atomically: a passive streak is counted
 * and marked by exactly one relay, and the leader's write of the states and its removal of the
 * marks it merged happen together, so no reader ever sees a mark gone before its `down` is written.
 */

/**
 * A failed attempt. KEYS: passive counts, marks. ARGV: provider id, threshold, mark token.
 * Returns 1 when this failure completed the streak: the mark is set and the count starts over.
 */
export const ATTEMPT_FAILED = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n < tonumber(ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`;

/**
 * The leader's write. KEYS: leader lease, states, marks, passive counts.
 * ARGV: relay id, number of states, number of removed, number of merged marks, then
 * (id, state JSON) pairs, removed ids, (id, token) pairs.
 * Returns 0 (nothing written) when the lease is not this relay's: a deposed leader writes nothing.
 */
export const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local nStates = tonumber(ARGV[2])
local nRemoved = tonumber(ARGV[3])
local nMerged = tonumber(ARGV[4])
local i = 5
for _ = 1, nStates do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, nRemoved do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[4], ARGV[i])
  i = i + 1
end
for _ = 1, nMerged do
  if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[3], ARGV[i]) end
  i = i + 2
end
return 1
`;
