-- open_world: a scenario that clients can always join, and the producer of the dashboard's events.
--
-- A joining client loads the save, runs this file and on_load, and Factorio then compares the
-- handlers it registered with those the map was saved with; any difference ends the join with
-- multiplayer.script-event-mismatch. So every handler below is registered here, unconditionally,
-- when this file loads, and nothing registers anything later. Run-time behaviour comes from tools
-- (tools.lua), which are saved as source text and compiled identically on every peer.
local compat = require("compat")
local jsonl = require("jsonl")
local emitter = require("emitter")
local tools = require("tools")
local queue = require("commands")
local VERSION = require("version")

local STATS_EVERY = emitter.STATS_EVERY
local NTH_TICKS = { 5, 15, STATS_EVERY }
local LIFECYCLE = { "on_configuration_changed", "on_init", "on_load" }
local MAX_REPLY = 3500 -- RCON replies above ~4 KB reset the connection

local data = compat.data
emitter.set_name("open_world")

-- Writes one event line (guarded in the emitter: a failure happens on the server only, so it must
-- not raise, which would desync).
local function emit(event) emitter.emit(data(), event) end

-- Default fields for a fresh map, and for a save made by an older runtime (on_configuration_changed).
local function ensure_storage()
  local d = data()
  d.runtime_version = d.runtime_version or VERSION
  emitter.ensure(d)
  tools.ensure(d)
  queue.ensure(d)
end

-- Errors inside tools go to the event stream (an unknown type, kept raw by the dashboard).
tools.set_reporter(function(name, what, message)
  emit({ type = "tool_error", tool = name, ["function"] = what, tick = game.tick, message = message })
end)

local function valid_output_name(name)
  return type(name) == "string" and #name >= 1 and #name <= 200 and name:match("^[%w_%-%./]+$") ~= nil
    and not name:find("..", 1, true) and name:sub(1, 1) ~= "/"
end

-- Queue command handlers: command -> ok, result or error text.
local handlers = {
  log = function(c)
    emit({ type = "log", tick = game.tick, message = tostring(c.message) })
    return true
  end,
  install_tool = function(c) return tools.install(data(), c.name, c.source) end,
  remove_tool = function(c) return tools.remove(data(), c.name) end,
  call_tool = function(c) return tools.call(data(), c.name, c["function"], c.args) end,
  set_output_file = function(c)
    if not valid_output_name(c.file) then return false, "invalid file name" end
    data().output_file = c.file
    return true
  end,
  new_session = function(c)
    if c.session_id ~= nil and (type(c.session_id) ~= "string" or #c.session_id < 1 or #c.session_id > 200) then
      return false, "session_id must be a string of 1-200 characters"
    end
    emitter.start_session(data(), c.session_id)
    return true
  end,
}

local function command_finished(id, command, ok, result)
  local event = { type = "command_result", id = id, command = command.type, tick = game.tick, ok = ok }
  if ok then
    if type(result) ~= "nil" and type(result) ~= "boolean" then event.result = result end
  else
    event.error = tostring(result)
  end
  -- A tool may return something JSON cannot carry; the line is then sent without it.
  if not pcall(jsonl.encode, event) then event.result = nil end
  emit(event)
end

-- Replies for rcon.print: JSON, and small enough for one RCON packet.
local function reply(value)
  local ok, text = pcall(jsonl.encode, value)
  if not ok then return jsonl.encode({ ok = false, error = "reply cannot be encoded: " .. tostring(text) }) end
  if #text > MAX_REPLY then return jsonl.encode({ ok = false, error = "reply too large (" .. #text .. " bytes)" }) end
  return text
end

-- What this peer has registered, read back from the engine where it can be (events), and from
-- the list used to register where it cannot (Factorio has no getter for nth-tick handlers).
local function registrations()
  local events = {}
  for name, id in pairs(defines.events) do
    if script.get_event_handler(id) then events[#events + 1] = name end
  end
  table.sort(events)
  local nth, lifecycle = {}, {}
  for i, n in ipairs(NTH_TICKS) do nth[i] = n end
  for i, n in ipairs(LIFECYCLE) do lifecycle[i] = n end
  return { events = jsonl.array(events), nth_ticks = jsonl.array(nth), lifecycle = jsonl.array(lifecycle) }
end

-- Lifecycle ---------------------------------------------------------------------------------------

script.on_init(function()
  ensure_storage()
  tools.rebuild(data())
  -- Baseline for the first stats cycle (totals at the moment the scenario starts), and session_init.
  emitter.init(data())
end)

-- on_load: no game, read-only storage. Only local state is rebuilt here.
script.on_load(function()
  tools.rebuild(data())
  emitter.on_load()
end)

script.on_configuration_changed(function()
  ensure_storage()
  tools.rebuild(data())
end)

-- Events: the complete, fixed set. Each one runs the scenario's own work, then the tools' hooks.

script.on_event(defines.events.on_tick, function(event)
  local d = data()
  emitter.on_tick(d)
  if queue.length(d) > 0 then queue.drain(d, handlers, queue.MAX_PER_TICK, command_finished, tools.clean_error) end
  tools.dispatch(d, "on_tick", event)
end)

script.on_nth_tick(5, function(event) tools.dispatch(data(), "on_nth_tick_5", event) end)
script.on_nth_tick(15, function(event) tools.dispatch(data(), "on_nth_tick_15", event) end)
script.on_nth_tick(STATS_EVERY, function(event)
  emitter.take_stats(data(), event.tick)
  tools.dispatch(data(), "on_nth_tick_120", event)
end)

script.on_event(defines.events.on_script_path_request_finished, function(event)
  tools.dispatch(data(), "on_script_path_request_finished", event)
end)

script.on_event(defines.events.on_player_joined_game, function(event)
  tools.dispatch(data(), "on_player_joined_game", event)
end)

-- Remote interface ------------------------------------------------------------------------------
-- Called over RCON as /sc rcon.print(remote.call("open_world", ...)). An RCON command runs on
-- every peer in the same tick, so these may change storage; they answer with short JSON strings.

remote.add_interface("open_world", {
  -- Queues a command given as JSON text. Reply: {"ok":true,"id":N} or {"ok":false,"error":...}.
  enqueue_json = function(text)
    local command = type(text) == "string" and compat.json_to_table(text) or nil
    if command == nil then return reply({ ok = false, error = "not valid JSON" }) end
    local id, err = queue.enqueue(data(), command, handlers)
    if not id then return reply({ ok = false, error = err }) end
    return reply({ ok = true, id = id })
  end,
  get_queue_length = function() return queue.length(data()) end,
  get_result = function(id)
    local r = data().results[tonumber(id)]
    if not r then return reply({ ok = false, error = "no result kept for " .. tostring(id) }) end
    return reply({ ok = true, id = tonumber(id), result = r })
  end,
  get_version = function() return VERSION end,
  get_registrations = function() return reply(registrations()) end,
  get_info = function()
    local d = data()
    local errors = 0
    for _, n in pairs(d.tool_errors) do errors = errors + n end
    local info = {
      version = VERSION,
      save_runtime_version = d.runtime_version,
      stale = d.runtime_version ~= VERSION,
      api = compat.api,
      session_id = d.session.id,
      cycle = d.session.cycle,
      output_file = d.output_file,
      queue_length = queue.length(d),
      tools = jsonl.array(tools.loaded()),
      tool_count = #tools.loaded(),
      tool_errors = errors,
    }
    -- With many tools the list alone could pass the RCON limit; the count still answers.
    if #jsonl.encode(info) > MAX_REPLY then info.tools, info.tools_omitted = nil, true end
    return reply(info)
  end,
  set_output_file = function(name)
    local ok, err = handlers.set_output_file({ file = name })
    return reply({ ok = ok, error = err })
  end,
  install_tool = function(name, source)
    local ok, err = tools.install(data(), name, source)
    return reply({ ok = ok, error = err })
  end,
  remove_tool = function(name)
    local ok, err = tools.remove(data(), name)
    return reply({ ok = ok, error = err })
  end,
  list_tools = function() return reply(jsonl.array(tools.loaded())) end,
  -- Calls a tool's function now with JSON arguments; the reply carries its result.
  call_tool = function(name, fn, args_json)
    local args = nil
    if args_json ~= nil and args_json ~= "" then
      args = compat.json_to_table(args_json)
      if args == nil then return reply({ ok = false, error = "arguments are not valid JSON" }) end
    end
    local ok, result = tools.call(data(), name, fn, args)
    if not ok then return reply({ ok = false, error = result }) end
    return reply({ ok = true, result = result })
  end,
  new_session = function(id)
    local ok, err = handlers.new_session({ session_id = id })
    return reply({ ok = ok, error = err, session_id = data().session.id })
  end,
})
