-- What the game's production window shows, as cumulative totals and as per-minute rates: items and
-- fluids, per force, and in 2.0 per surface (planets, platforms) with every quality counted.
local compat = require("compat")

local M = {}

-- A game minute is 3600 ticks whatever speed the server manages: rates are per game minute.
local TICKS_PER_MINUTE = 3600

-- Cumulative counts of one side of a flow statistics (name -> count). Factorio calls what was
-- produced "input" and what was consumed "output"; tools disagree about this, so the callers'
-- names say what they mean. Where the game keeps counts per quality (2.0), they are summed here,
-- so an item's total holds every quality whichever version merges them itself.
local function counts(flow, side)
  local ok, by_quality = pcall(function() return flow[side .. "_quality_counts"] end)
  local out = {}
  if ok and type(by_quality) == "table" then
    for _, names in pairs(by_quality) do
      for name, n in pairs(names) do out[name] = (out[name] or 0) + n end
    end
    return out
  end
  for name, n in pairs(flow[side .. "_counts"]) do out[name] = n end
  return out
end

local function add_into(target, source)
  for name, n in pairs(source) do target[name] = (target[name] or 0) + n end
end

local function flows(item_flow, fluid_flow)
  return {
    items = { produced = counts(item_flow, "input"), consumed = counts(item_flow, "output") },
    fluids = { produced = counts(fluid_flow, "input"), consumed = counts(fluid_flow, "output") },
  }
end

-- { items = {produced, consumed}, fluids = {produced, consumed}, surfaces = {name -> same} (2.0) }
function M.totals(force)
  local all = { items = { produced = {}, consumed = {} }, fluids = { produced = {}, consumed = {} } }
  local per_surface = compat.flow_statistics(force)
  for name, pair in pairs(per_surface) do
    local t = flows(pair.items, pair.fluids)
    for _, kind in ipairs({ "items", "fluids" }) do
      add_into(all[kind].produced, t[kind].produced)
      add_into(all[kind].consumed, t[kind].consumed)
    end
    if compat.major >= 2 then
      all.surfaces = all.surfaces or {}
      all.surfaces[name] = t
    end
  end
  return all
end

-- Per-minute rates from two cumulative totals dt ticks apart. Every name ever counted is listed,
-- 0 when idle, so charts drop to zero instead of stopping, unless `moving_only` (the per-surface
-- breakdown, kept small). A total that went down (statistics cleared) counts as 0.
local function rates(before, now, dt, moving_only)
  local out = {}
  for name, total in pairs(now) do
    local delta = total - ((before and before[name]) or 0)
    local rate = delta > 0 and delta * TICKS_PER_MINUTE / dt or 0
    if rate == rate and rate < math.huge and (rate > 0 or not moving_only) then out[name] = rate end
  end
  return out
end

local function window(prev, now, dt, moving_only)
  prev = prev or {}
  local pi, pf = prev.items or {}, prev.fluids or {}
  return {
    products_production = rates(pi.produced, now.items.produced, dt, moving_only),
    materials_consumption = rates(pi.consumed, now.items.consumed, dt, moving_only),
    fluids_production = rates(pf.produced, now.fluids.produced, dt, moving_only),
    fluids_consumption = rates(pf.consumed, now.fluids.consumed, dt, moving_only),
  }
end

-- The rate fields of a stats line. The first two are the item totals older readers know; the
-- fluid maps and (2.0) `surfaces` are optional additions.
function M.stats_fields(prev, now, dt)
  local fields = window(prev, now, dt, false)
  if now.surfaces then
    local surfaces = {}
    for name, t in pairs(now.surfaces) do
      surfaces[name] = window((prev.surfaces or {})[name], t, dt, true)
    end
    fields.surfaces = surfaces
  end
  return fields
end

return M
