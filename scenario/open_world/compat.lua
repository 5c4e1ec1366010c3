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

-- Appends to script-output/<name>, exactly once per game. In multiplayer (a headless server or a
-- player-hosted game, whose host is the server) for_player = 0 makes only the server write. A
-- single-player game has no separate server, and the docs only promise "the server's output if
-- present", so there the one peer writes with no for_player at all. is_multiplayer() is part of the
-- game state, so every peer makes the same choice; nothing in the game depends on the write.
local function for_player()
  local ok, multiplayer = pcall(function() return game.is_multiplayer() end)
  if ok and multiplayer == false then return nil end
  return 0
end

function M.append_file(name, text)
  if M.major >= 2 then
    helpers.write_file(name, text, true, for_player())
  else
    game.write_file(name, text, true, for_player())
  end
end

-- nil when the text is not JSON (both versions behave that way).
function M.json_to_table(text)
  if M.major >= 2 then return helpers.json_to_table(text) end
  return game.json_to_table(text)
end

-- The force's flow statistics: surface name -> { items = LuaFlowStatistics, fluids = ... }. 2.0
-- keeps statistics per surface (planets, platforms); 1.1 has one set, keyed "all" here.
function M.flow_statistics(force)
  local out = {}
  if M.major >= 2 then
    for _, surface in pairs(game.surfaces) do
      out[surface.name] = {
        items = force.get_item_production_statistics(surface),
        fluids = force.get_fluid_production_statistics(surface),
      }
    end
  else
    out.all = { items = force.item_production_statistics, fluids = force.fluid_production_statistics }
  end
  return out
end

return M
