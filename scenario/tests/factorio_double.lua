-- A small Factorio runtime for testing the scenario under plain Lua 5.2. It models what decides
-- whether a client can join and stay in sync, following the API docs (1.1 and 2.0):
--   * each peer is its own Lua state: fresh globals, its own `require` cache, no os/io/debug;
--   * control.lua runs with no `game`; on_init gets `game`; a loaded save runs control.lua, gets
--     storage restored, then on_load with no `game` and a storage that must stay unchanged;
--   * script.on_event / on_nth_tick are recorded; a save keeps the registrations it was made
--     with, and loading it fails with multiplayer.script-event-mismatch when they differ;
--   * saving serializes storage and refuses functions;
--   * write_file(name, data, append, for_player): for_player = 0 writes on the server only;
--   * LuaObjects are strict: reading a key the API version lacks raises, as in the game.
local save_format = require("save_format")
local dkjson = require("dkjson")

local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)factorio_double%.lua$") or "./"
M.SCENARIO_DIR = here .. "../open_world/"
-- The mod's own files; everything else it requires is the scenario's shared emitter (the package
-- script builds the zip the same way: mod files first, then the shared ones).
M.MOD_DIR = here .. "../../mod/control-room/"
-- Where the mod's shared modules come from: the scenario's folder, or an unpacked package's own.
M.MOD_SHARED_DIR = nil
local function script_dirs(script)
  return ({ scenario = { M.SCENARIO_DIR }, mod = { M.MOD_DIR, M.MOD_SHARED_DIR or M.SCENARIO_DIR }, none = {} })[script]
end

local EVENT_IDS = {
  on_tick = 0, on_gui_click = 1, on_built_entity = 6, on_player_created = 26,
  on_player_joined_game = 43, on_player_left_game = 44, on_script_path_request_finished = 104,
  on_chunk_generated = 12, on_research_finished = 18,
}

local objects = require("lua_objects")
local copy, lua_object, getter = objects.copy, objects.lua_object, objects.getter
local build_env = require("game_env")

local Peer = {}
Peer.__index = Peer

-- opts: api ("2.0" | "1.1"), role ("server": headless; "host": a player-hosted multiplayer game;
-- "client"; "single": single-player), script ("scenario" | "mod" | "none": a save without this
-- script, e.g. freeplay before the mod was added), output_dir (also write real files
-- there, opening and closing per write like the game), level_name, seed, surfaces (2.0 names).
local function new_peer(opts)
  local p = setmetatable({}, Peer)
  p.api = opts.api or "2.0"
  p.role = opts.role or "server"
  p.script = opts.script or "scenario"
  p.output_dir = opts.output_dir
  p.level_name = opts.level_name or "open_world"
  p.seed = opts.seed or 1234567
  p.tick = opts.start_tick or 0
  p.players = opts.players or {}
  p.phase = "control"
  p.files, p.writes, p.skipped_writes, p.logs = {}, {}, 0, {}
  p.events, p.nth = {}, {}
  p.lifecycle = {}
  p.registered_during = {}
  p.interfaces = {}
  p.surface_names = opts.surfaces or { "nauvis" }
  -- Cumulative item statistics: force -> bucket -> { input = {}, output = {} }. 1.1 has one
  -- bucket per force; 2.0 one per surface.
  p.flow, p.fluid_flow = {}, {}
  p:build_env()
  return p
end

-- Counts are kept per quality: bucket.input[quality][name]. 1.1 has only "normal".
function Peer:bucket(force, surface, fluid)
  local key = self.api == "2.0" and (surface or self.surface_names[1]) or "all"
  local flow = fluid and self.fluid_flow or self.flow
  flow[force] = flow[force] or {}
  flow[force][key] = flow[force][key] or { input = {}, output = {} }
  return flow[force][key]
end

local function count(side, name, n, quality)
  quality = quality or "normal"
  side[quality] = side[quality] or {}
  side[quality][name] = (side[quality][name] or 0) + n
end

-- Test-side game activity: items made or used by a force (on a 2.0 surface, of a 2.0 quality).
function Peer:produce(item, n, surface, force, quality)
  count(self:bucket(force or "player", surface).input, item, n, quality)
end

function Peer:consume(item, n, surface, force, quality)
  count(self:bucket(force or "player", surface).output, item, n, quality)
end

function Peer:produce_fluid(fluid, n, surface, force)
  count(self:bucket(force or "player", surface, true).input, fluid, n)
end

function Peer:consume_fluid(fluid, n, surface, force)
  count(self:bucket(force or "player", surface, true).output, fluid, n)
end

local function copy_deep(t)
  local out = {}
  for k, v in pairs(t) do out[k] = type(v) == "table" and copy_deep(v) or v end
  return out
end

-- 2.0 as before 2.0.59: input_counts holds the normal quality only, the per-quality counts are
-- separate. 1.1 has no quality at all.
function Peer:flow_statistics(force, key, fluid)
  local b = ((fluid and self.fluid_flow or self.flow)[force] or {})[key] or { input = {}, output = {} }
  local fields = {
    input_counts = getter(function() return copy(b.input.normal or {}) end),
    output_counts = getter(function() return copy(b.output.normal or {}) end),
  }
  if self.api == "2.0" then
    fields.input_quality_counts = getter(function() return copy_deep(b.input) end)
    fields.output_quality_counts = getter(function() return copy_deep(b.output) end)
  end
  return lua_object("LuaFlowStatistics", fields)
end

function Peer:write_file(name, text, append, for_player)
  if self.phase == "control" or self.phase == "load" then
    error("write_file cannot be used during " .. self.phase .. " (it would change only this peer)", 2)
  end
  assert(type(name) == "string" and type(text) == "string", "write_file(name, data, append, for_player)")
  -- for_player = 0: "only to the server's output if present". A single-player game has no
  -- separate server, so the double takes the strict reading: nothing is written there.
  local is_server = self.role == "server" or self.role == "host"
  local here_too = for_player == nil or (for_player == 0 and is_server)
  if not here_too then
    self.skipped_writes = self.skipped_writes + 1
    return
  end
  self.writes[#self.writes + 1] = { name = name, data = text }
  self.files[name] = (append and self.files[name] or "") .. text
  if self.output_dir then
    local f = assert(io.open(self.output_dir .. "/" .. name, append and "a" or "w"))
    f:write(text)
    f:close()
  end
end

function Peer:build_env()
  build_env(self, script_dirs, EVENT_IDS)
end

-- The persistent table of this peer (storage or global).
function Peer:storage()
  return self.api == "2.0" and self.env.storage or self.env.global
end

function Peer:set_storage(t)
  if self.api == "2.0" then self.env.storage = t else self.env.global = t end
end

function Peer:run_control()
  self.phase = "control"
  if self.script ~= "none" then self.env.require("control") end
end

-- Registered handlers as sorted names: what Factorio compares when a save is loaded.
function Peer:registrations()
  local names = {}
  for name, id in pairs(EVENT_IDS) do
    if self.events[id] then names[#names + 1] = name end
  end
  table.sort(names)
  local nth = {}
  for n in pairs(self.nth) do nth[#nth + 1] = n end
  table.sort(nth)
  local lifecycle = {}
  for name in pairs(self.lifecycle) do lifecycle[#lifecycle + 1] = name end
  table.sort(lifecycle)
  return { events = names, nth_ticks = nth, lifecycle = lifecycle }
end

local function fire(handler, event)
  if handler then handler(event) end
end

-- Advances n ticks. `each(peer, tick)` runs first in every tick: the game's own activity.
function Peer:run(n, each)
  assert(self.phase == "running", "the game is not running")
  for _ = 1, n do
    self.tick = self.tick + 1
    if each then each(self, self.tick) end
    local nths = {}
    for k in pairs(self.nth) do nths[#nths + 1] = k end
    table.sort(nths)
    for _, k in ipairs(nths) do
      if self.tick % k == 0 then fire(self.nth[k], { tick = self.tick, nth_tick = k }) end
    end
    fire(self.events[EVENT_IDS.on_tick], { name = EVENT_IDS.on_tick, tick = self.tick })
  end
end

-- Raises a game event (other than on_tick) with the given fields.
function Peer:raise(name, fields)
  local event = copy(fields or {})
  event.name, event.tick = EVENT_IDS[name], self.tick
  fire(self.events[EVENT_IDS[name]], event)
end

-- An RCON /sc command: Lua text run in the scenario's state. Returns what rcon.print printed
-- (on the server only, as in the game) or nil and the error.
function Peer:rcon(code)
  local out = {}
  local role = self.role
  self.env.rcon = { print = function(s) if role == "server" then out[#out + 1] = tostring(s) end end }
  local chunk, err = load(code, "=rcon", "t", self.env)
  local ok = chunk ~= nil
  if ok then ok, err = pcall(chunk) end
  self.env.rcon = nil
  if not ok then return nil, err end
  return table.concat(out, "\n")
end

-- remote.call("open_world", fn, ...) as an RCON command would make it.
function Peer:call(fn, ...)
  assert(self.phase == "running", "the game is not running")
  return self.env.remote.call("open_world", fn, ...)
end

-- The peer's scenario-side module table (as control.lua sees it).
function Peer:module(name)
  return self.env.require(name)
end

-- The canonical text of storage: equal on two peers means their script state is in sync.
function Peer:checksum()
  return save_format.dump(self:storage())
end

-- Saves the map: script state, registrations, and the game state the double models.
function Peer:save()
  assert(self.phase == "running", "the game is not running")
  local reg = self:registrations()
  return save_format.dump({
    api = self.api, script = self.script, level_name = self.level_name, seed = self.seed, tick = self.tick,
    surfaces = self.surface_names, flow = self.flow, fluid_flow = self.fluid_flow, players = self.players,
    registrations = { events = reg.events, nth_ticks = reg.nth_ticks },
    storage = self:storage(),
  }, "save")
end

local function list_diff(a, b)
  local seen, out = {}, {}
  for _, v in ipairs(b) do seen[v] = true end
  for _, v in ipairs(a) do if not seen[v] then out[#out + 1] = tostring(v) end end
  return out
end

-- Starts a new map (the server side of --start-server-load-scenario).
function M.new_game(opts)
  local p = new_peer(opts or {})
  p:run_control()
  p.phase = "init"
  p.env.game = p.game
  fire(p.lifecycle.on_init)
  p.phase = "running"
  return p
end

-- Loads a save into a fresh Lua state: a server restarting from it (role "server") or a client
-- joining (role "client"). opts.configuration_changed also runs on_configuration_changed.
-- opts.script other than the save's: the mod was added to this save ("mod" over "none": control.lua,
-- a fresh storage, on_init, then on_configuration_changed, as Factorio does for a new mod) or
-- removed ("none": its storage and registrations are dropped with it).
function M.load(save, opts)
  opts = opts or {}
  local s = save_format.restore(save)
  local script = opts.script or s.script or "scenario"
  local p = new_peer({
    api = s.api, role = opts.role or "client", output_dir = opts.output_dir, level_name = s.level_name,
    seed = s.seed, start_tick = s.tick, surfaces = s.surfaces, script = script, players = s.players,
  })
  p.flow, p.fluid_flow = s.flow, s.fluid_flow or {}
  if script ~= (s.script or "scenario") then
    p:run_control()
    p.env.game = p.game
    if script ~= "none" then
      p.phase = "init"
      fire(p.lifecycle.on_init)
      if p.lifecycle.on_configuration_changed then
        p.lifecycle.on_configuration_changed({
          mod_changes = { ["control-room"] = { new_version = "added" } },
          mod_startup_settings_changed = false, migration_applied = false,
        })
      end
    end
    p.phase = "running"
    return p
  end
  p:run_control()
  p:set_storage(s.storage)
  p.phase = "load"
  local before = p:checksum()
  fire(p.lifecycle.on_load)
  if p:checksum() ~= before then error("storage was modified during on_load (not allowed)", 0) end
  local now = p:registrations()
  local missing = list_diff(s.registrations.events, now.events)
  local added = list_diff(now.events, s.registrations.events)
  local nth_missing = list_diff(s.registrations.nth_ticks, now.nth_ticks)
  local nth_added = list_diff(now.nth_ticks, s.registrations.nth_ticks)
  if #missing + #added + #nth_missing + #nth_added > 0 then
    error("multiplayer.script-event-mismatch: level: registered when saved but not after loading: ["
      .. table.concat(missing, ", ") .. "] nth [" .. table.concat(nth_missing, ", ")
      .. "]; registered as a result of loading: [" .. table.concat(added, ", ") .. "] nth ["
      .. table.concat(nth_added, ", ") .. "]", 0)
  end
  p.env.game = p.game
  if opts.configuration_changed and p.lifecycle.on_configuration_changed then
    p.phase = "init"
    p.lifecycle.on_configuration_changed({ mod_changes = {}, mod_startup_settings_changed = false, migration_applied = false })
  end
  p.phase = "running"
  return p
end

-- A client joins a running server: it gets the server's save and then runs in lock-step.
function M.join(server)
  return M.load(server:save(), { role = "client" })
end

-- Multiplayer in lock-step: every peer gets the same inputs in the same tick.
function M.run_all(peers, n, each)
  for _ = 1, n do
    for _, p in ipairs(peers) do p:run(1, each) end
  end
end

-- An RCON command reaches every peer; only the server answers.
function M.rcon_all(peers, code)
  local answer, err
  for _, p in ipairs(peers) do
    local out, e = p:rcon(code)
    if p.role == "server" then answer, err = out, e end
  end
  return answer, err
end

-- The desync check: nil when every peer's script state equals the first's, else a message.
function M.desync(peers)
  local first = peers[1]:checksum()
  for i = 2, #peers do
    if peers[i]:checksum() ~= first then return "peer " .. i .. " differs from peer 1 at tick " .. peers[i].tick end
  end
  return nil
end

-- The JSON lines a peer wrote to one file, decoded (dkjson: an encoder independent of ours).
function M.lines(peer, name)
  local out = {}
  for line in (peer.files[name or "events.pipe"] or ""):gmatch("([^\n]*)\n") do
    local v, _, err = dkjson.decode(line, 1, nil)
    if v == nil then error("not JSON: " .. line .. " (" .. tostring(err) .. ")") end
    out[#out + 1] = { raw = line, value = v }
  end
  return out
end

M.EVENT_IDS = EVENT_IDS
return M
