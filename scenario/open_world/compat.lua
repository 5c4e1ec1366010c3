-- Every difference between Factorio 1.1 and 2.0 that this scenario touches, in one place.
local M = {}

-- script.active_mods is readable while control.lua loads, unlike game (clusterio does the same).
local base = (script.active_mods and script.active_mods.base) or "1.1.0"
M.major = tonumber(base:match("^(%d+)")) or 1
M.api = M.major >= 2 and "2.0" or "1.1"

-- The persistent table is swapped for the saved one after control.lua runs, so nothing may keep a
-- reference to it across events: every access goes through this function.
function M.data()
  if M.major >= 2 then return storage end
  return global
end

-- Appends to script-output/<name>. for_player = 0 makes only the server write; clients skip the
-- call, so nothing in the game may ever depend on it having happened.
function M.append_file(name, text)
  if M.major >= 2 then
    helpers.write_file(name, text, true, 0)
  else
    game.write_file(name, text, true, 0)
  end
end

-- nil when the text is not JSON (both versions behave that way).
function M.json_to_table(text)
  if M.major >= 2 then return helpers.json_to_table(text) end
  return game.json_to_table(text)
end

-- Cumulative item totals of a force since the map began: produced, consumed (name -> count).
-- Factorio's flow statistics call what was produced "input" and what was consumed "output";
-- tools disagree about this, so the names here say what they mean.
function M.item_totals(force)
  local produced, consumed = {}, {}
  local function add(flow)
    for name, n in pairs(flow.input_counts) do produced[name] = (produced[name] or 0) + n end
    for name, n in pairs(flow.output_counts) do consumed[name] = (consumed[name] or 0) + n end
  end
  if M.major >= 2 then
    -- 2.0 keeps statistics per surface (planets, platforms); the force's total is their sum.
    for _, surface in pairs(game.surfaces) do add(force.get_item_production_statistics(surface)) end
  else
    add(force.item_production_statistics)
  end
  return produced, consumed
end

return M
