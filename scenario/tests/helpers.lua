-- Shared by the specs and run_scenario.lua: a fixed little factory, and small utilities.
local double = require("factorio_double")

local H = {}

H.APIS = { "1.1", "2.0" }
-- Two surfaces, so 2.0 has to add up statistics kept per surface.
H.SURFACES = { "nauvis", "platform-1" }

-- The factory, one call per tick (the TypeScript integration test restates it independently):
-- every 6 ticks 1 iron-ore -> 1 iron-plate; every 30 ticks 2 iron-plate -> 1 iron-gear-wheel
-- (on platform-1); every 20 ticks 2 copper-cable; every 7 ticks 1 electronic-circuit.
function H.factory(peer, tick)
  if tick % 6 == 0 then
    peer:consume("iron-ore", 1)
    peer:produce("iron-plate", 1)
  end
  if tick % 30 == 0 then
    peer:consume("iron-plate", 2, "platform-1")
    peer:produce("iron-gear-wheel", 1, "platform-1")
  end
  if tick % 20 == 0 then peer:produce("copper-cable", 2) end
  if tick % 7 == 0 then peer:produce("electronic-circuit", 1) end
end

-- How many multiples of k lie in (from, to]: the factory's events in that window.
function H.count(k, from, to)
  return math.floor(to / k) - math.floor(from / k)
end

-- Expected rates (items/min) for the window (from, to], straight from the factory's definition.
function H.expected(from, to)
  local per_min = 3600 / (to - from)
  return {
    products_production = {
      ["iron-plate"] = H.count(6, from, to) * per_min,
      ["iron-gear-wheel"] = H.count(30, from, to) * per_min,
      ["copper-cable"] = 2 * H.count(20, from, to) * per_min,
      ["electronic-circuit"] = H.count(7, from, to) * per_min,
    },
    materials_consumption = {
      ["iron-ore"] = H.count(6, from, to) * per_min,
      ["iron-plate"] = 2 * H.count(30, from, to) * per_min,
    },
  }
end

function H.game(api, opts)
  opts = opts or {}
  opts.api = api
  opts.surfaces = opts.surfaces or H.SURFACES
  return double.new_game(opts)
end

function H.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

function H.of_type(lines, type_name)
  local out = {}
  for _, l in ipairs(lines) do
    if l.value.type == type_name then out[#out + 1] = l end
  end
  return out
end

-- Runs an RCON command on a peer and decodes its JSON reply.
function H.json_call(peer, fn, ...)
  local dkjson = require("dkjson")
  local text = peer:call(fn, ...)
  assert(type(text) == "string", "reply is not a string")
  local v = dkjson.decode(text, 1, nil)
  assert(v ~= nil, "reply is not JSON: " .. text)
  return v, text
end

-- A tool counting every hook it gets into ctx.data.
H.COUNTER_TOOL = [[
local M = {}
local function bump(ctx, key) ctx.data[key] = (ctx.data[key] or 0) + 1 end
function M.on_tick(_, ctx) bump(ctx, "tick") end
function M.on_nth_tick_5(_, ctx) bump(ctx, "nth5") end
function M.on_nth_tick_15(_, ctx) bump(ctx, "nth15") end
function M.on_nth_tick_120(_, ctx) bump(ctx, "nth120") end
function M.on_player_joined_game(e, ctx) bump(ctx, "joined"); ctx.data.last_player = e.player_index end
function M.on_script_path_request_finished(e, ctx) bump(ctx, "paths"); ctx.data.last_path = e.id end
function M.counts(_, ctx) return ctx.data end
function M.add(args, ctx) ctx.data.sum = (ctx.data.sum or 0) + args.n; return ctx.data.sum end
return M
]]

H.double = double
return H
