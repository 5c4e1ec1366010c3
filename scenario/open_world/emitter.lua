-- The event emitter shared by the open_world scenario and the control-room mod: sessions, stats
-- cycles and the writing of JSONL lines. It lives once, here; the mod's package is built from
-- these files (scripts/package-lua.mjs), so neither side keeps a copy.
--
-- Every function takes `d`, the table that holds the emitter's saved state (the scenario's storage,
-- or the mod's), and changes nothing else. Writing is the only side effect, and nothing in the game
-- depends on whether a write happened, so a peer that skips it stays in sync.
local compat = require("compat")
local jsonl = require("jsonl")
local production = require("production")

local M = {}

M.DEFAULT_OUTPUT = "events.pipe"
M.STATS_EVERY = 120

-- Who emits, for level_name when the game has none to tell, and in the session id's hash.
local emitter_name = "open_world"
function M.set_name(name) emitter_name = name end

-- True from on_load until the next tick. Only this peer's own files depend on it. on_load itself
-- may not write files or touch game, hence the deferral.
local loaded_pending = false

function M.emit(d, event)
  local ok, line = pcall(jsonl.encode, event)
  if ok then ok, line = pcall(compat.append_file, d.output_file or M.DEFAULT_OUTPUT, line .. "\n") end
  if not ok then log(emitter_name .. ": event not written: " .. tostring(line)) end
end

function M.level_name()
  local ok, name = pcall(function() return script.level.level_name end)
  return ok and type(name) == "string" and name or emitter_name
end

local function hash(text, h)
  h = h or 5381
  for i = 1, #text do h = (h * 33 + text:byte(i)) % 4294967296 end
  return h
end

-- A deterministic id (Factorio scripts have no clock or entropy, and every peer must agree). Map
-- seed and tick alone repeat across games started from the same seed, so the hash also takes what
-- the players brought into this game: their names, and the force's cumulative production when the
-- session starts (zero in a fresh map, the whole history when the mod joins an existing save).
local function derive_session_id(d, previous)
  local surface = game.surfaces[1]
  local seed = surface and surface.map_gen_settings.seed or 0
  local h = hash(emitter_name .. "/" .. M.level_name() .. "/" .. seed .. "/" .. game.tick .. "/" .. (previous or ""))
  local names = {}
  local ok, players = pcall(function() return game.players end)
  if ok and players then
    for _, p in pairs(players) do names[#names + 1] = p.name end
  end
  table.sort(names)
  h = hash(table.concat(names, ","), h)
  local force = game.forces[d.force_name or "player"]
  if force then
    local totals = production.totals(force)
    local keys = {}
    for k in pairs(totals.items.produced) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do h = hash(k .. "=" .. string.format("%.17g", totals.items.produced[k]), h) end
  end
  return string.format("%08x", h)
end

local function session_init_event(d, extra)
  local event = { type = "session_init", session_id = d.session.id, tick = game.tick, level_name = M.level_name() }
  for k, v in pairs(extra or {}) do event[k] = v end
  return event
end

local function new_session_record(d, id, parent)
  local record = { id = id or derive_session_id(d, d.session and d.session.id), cycle = 0, started_tick = game.tick }
  if parent then record.parent_id = parent end
  return record
end

-- Fields for a fresh map, and for a save made by an older runtime (on_configuration_changed).
function M.ensure(d)
  d.output_file = d.output_file or M.DEFAULT_OUTPUT
  d.force_name = d.force_name or "player"
  d.stats = d.stats or {}
  d.session = d.session or new_session_record(d, nil)
end

local function baseline(d)
  local force = game.forces[d.force_name]
  d.stats = force and { tick = game.tick, totals = production.totals(force) } or {}
end

-- A new game, or the emitter added to an existing save: the first stats cycle counts from now.
function M.init(d)
  M.ensure(d)
  baseline(d)
  M.emit(d, session_init_event(d))
end

function M.start_session(d, id)
  d.session = new_session_record(d, id, d.session and d.session.id)
  M.emit(d, session_init_event(d, { parent_session_id = d.session.parent_id }))
end

function M.on_load()
  loaded_pending = true
end

-- After a load the first tick announces the session again with what the save knew: readers
-- compare `cycle` with the last cycle they saw for this id; a lower one means an earlier save was
-- loaded (the game itself cannot know: the save holds nothing of what came after it).
function M.on_tick(d)
  if not loaded_pending then return end
  loaded_pending = false
  M.emit(d, session_init_event(d, { resumed = true, cycle = d.session.cycle }))
end

function M.take_stats(d, tick)
  local force = game.forces[d.force_name]
  if not force then return end
  local now = production.totals(force)
  local prev = d.stats
  if prev.tick and prev.totals and tick > prev.tick then
    d.session.cycle = d.session.cycle + 1
    local event = production.stats_fields(prev.totals, now, tick - prev.tick)
    event.type, event.session_id, event.cycle, event.tick = "stats", d.session.id, d.session.cycle, tick
    M.emit(d, event)
  end
  d.stats = { tick = tick, totals = now }
end

return M
