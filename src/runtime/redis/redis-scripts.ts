/**
 * Lua run by Redis in one step, so that replicas never see a session queue half-changed.
 * KEYS[1] is the session's queue (a sorted set of run ids by arrival); a run's lease key is
 * ARGV[1] .. run id. Entries whose lease expired (their replica died) are dropped as they are met.
 */

const PRUNE = `
local function prune(q, prefix)
  local ids = redis.call('ZRANGE', q, 0, -1)
  local alive = {}
  for _, id in ipairs(ids) do
    if redis.call('EXISTS', prefix .. id) == 1 then table.insert(alive, id)
    else redis.call('ZREM', q, id) end
  end
  return alive
end
`;

/**
 * Joins the queue: ARGV = lease prefix, run id, replica id, lease ms, exclusive ("1": only into an
 * empty queue). Returns 1 when the run is in the queue, 0 when `exclusive` found it busy.
 */
export const ENTER_SESSION = `${PRUNE}
local alive = prune(KEYS[1], ARGV[1])
if ARGV[5] == '1' and #alive > 0 then
  for _, id in ipairs(alive) do if id == ARGV[2] then return 1 end end
  return 0
end
redis.call('SET', ARGV[1] .. ARGV[2], ARGV[3], 'PX', ARGV[4])
if redis.call('ZSCORE', KEYS[1], ARGV[2]) == false then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[1] .. ':seq'), ARGV[2])
end
redis.call('PEXPIRE', KEYS[1] .. ':seq', 86400000)
return 1`;

/** ARGV = lease prefix, run id. Returns 1 when the run is at the head of its queue (its turn). */
export const IS_TURN = `${PRUNE}
local alive = prune(KEYS[1], ARGV[1])
if alive[1] == ARGV[2] then return 1 end
return 0`;

/** ARGV = lease prefix. Runs holding or waiting for the session, oldest first. */
export const SESSION_RUNS = `${PRUNE}
return prune(KEYS[1], ARGV[1])`;
