-- The command queue: commands arrive as JSON over RCON (remote.call "enqueue_json"), are kept in
-- storage, and are run in arrival order from on_tick, at most MAX_PER_TICK a tick. RCON commands
-- reach every peer as the same input in the same tick, and the queue is saved with the map, so
-- every peer (including one that joins with commands still queued) runs the same commands on the
-- same tick.
local M = {}

M.MAX_PER_TICK = 20
M.MAX_LENGTH = 1000
M.KEEP_RESULTS = 50

function M.ensure(d)
  d.queue = d.queue or { head = 1, tail = 0, items = {} }
  d.results = d.results or {}
end

function M.length(d)
  return d.queue.tail - d.queue.head + 1
end

-- Adds a decoded command; returns its id, or nil and why it was refused. Unknown types are
-- refused here, where the sender still gets the answer, rather than failing later in a tick.
function M.enqueue(d, command, known)
  if type(command) ~= "table" then return nil, "a command is a JSON object" end
  if type(command.type) ~= "string" then return nil, 'a command needs a string "type"' end
  if not known[command.type] then return nil, "unknown command type " .. command.type end
  if M.length(d) >= M.MAX_LENGTH then return nil, "queue full (" .. M.MAX_LENGTH .. " commands)" end
  local q = d.queue
  q.tail = q.tail + 1
  q.items[q.tail] = command
  return q.tail
end

-- Runs up to `budget` queued commands with handlers[type](command) -> ok, result_or_error.
-- `finished(id, command, ok, result)` sees each outcome (the event stream); storage keeps only
-- ok and the error text of the last KEEP_RESULTS commands; `clean` makes that text the same on
-- every peer.
function M.drain(d, handlers, budget, finished, clean)
  local q = d.queue
  local n = 0
  while q.head <= q.tail and n < budget do
    local id = q.head
    local command = q.items[id]
    q.items[id] = nil
    q.head = id + 1
    n = n + 1
    local ok, okay, result = pcall(handlers[command.type], command)
    if not ok then okay, result = false, okay end
    if not okay then result = clean(result) end
    d.results[id] = { ok = okay and true or false, error = (not okay) and result or nil }
    d.results[id - M.KEEP_RESULTS] = nil
    finished(id, command, okay, result)
  end
  return n
end

return M
