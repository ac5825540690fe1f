// Lua scripts that make the inbox index's multi-key changes atomic in Redis. Keys are built from
// the prefix inside the scripts, so this index targets a single Redis (not Cluster) on purpose.

/** Versioned upsert: an older copy of a task never overwrites a newer one. Returns 1 if applied. */
export const PUT_TASK = `
local taskKey, json, version, p, id, team, status, score, fromTeam, tombstoneMs =
  KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local cur = redis.call('GET', taskKey)
local oldTeam = ''
if cur then
  local old = cjson.decode(cur)
  if old.version and tonumber(old.version) >= version then return 0 end
  oldTeam = old.team or ''
end
local function queue(t, which) return p .. ':team:' .. t .. ':' .. which end
local function drop(t, reason)
  redis.call('ZREM', queue(t, 'active'), id)
  redis.call('ZREM', queue(t, 'open'), id)
  redis.call('PUBLISH', p .. ':events:' .. t, '{"type":"removed","taskId":' .. cjson.encode(id) .. ',"reason":' .. cjson.encode(reason) .. '}')
end
for _, t in ipairs({ oldTeam, fromTeam }) do
  if t ~= '' and t ~= team then drop(t, 'moved') end
end
if status == 'open' or status == 'claimed' then
  redis.call('SET', taskKey, json)
  redis.call('ZADD', queue(team, 'active'), score, id)
  if status == 'open' then redis.call('ZADD', queue(team, 'open'), score, id) else redis.call('ZREM', queue(team, 'open'), id) end
  redis.call('PUBLISH', p .. ':events:' .. team, '{"type":"upserted","taskId":' .. cjson.encode(id) .. ',"task":' .. json .. '}')
else
  -- Closed: keep a short-lived copy so a late, older update cannot bring the task back.
  redis.call('SET', taskKey, json, 'PX', tombstoneMs)
  drop(team, status)
end
return 1
`;

/** Take-next: reserves the first open task of the queue the operator may take. Returns its id or false. */
export const RESERVE_NEXT = `
local openQueue, p, operator, clientList, reserveMs, batch = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local clients = {}
for c in string.gmatch(clientList, '[^,]+') do clients[c] = true end
local start = 0
while true do
  local ids = redis.call('ZRANGE', openQueue, start, start + batch - 1)
  if #ids == 0 then return false end
  for _, id in ipairs(ids) do
    local raw = redis.call('GET', p .. ':task:' .. id)
    if raw then
      local t = cjson.decode(raw)
      local assignee = t.assignee
      if t.status == 'open' and clients[t.client] and (assignee == nil or assignee == cjson.null or assignee == operator) then
        if redis.call('SET', p .. ':reserve:' .. id, operator, 'PX', reserveMs, 'NX') then return id end
      end
    end
  end
  start = start + batch
end
`;
