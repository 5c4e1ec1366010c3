-- The Lua environment one peer of the Factorio double runs its scripts in: the standard library
-- the game allows, `require` over the script's folders, `script`, `remote`, `defines.events`, and
-- the LuaGameScript (`game`) with its surfaces, forces, players and, per API version, `helpers`
-- (2.0) or `game.write_file` (1.1). Builds p.env and p.game for peer `p`; `script_dirs(script)`
-- lists the folders its `require` reads, `event_ids` the event ids it defines.
local dkjson = require("dkjson")
local objects = require("lua_objects")
local copy, lua_object, getter = objects.copy, objects.lua_object, objects.getter

local function to_json(v)
  return dkjson.encode(v)
end

local function from_json(text)
  local v = dkjson.decode(text, 1, nil)
  if v == nil then return nil end
  return v
end

return function(p, script_dirs, event_ids)
  local env = {
    assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
    select = select, tonumber = tonumber, tostring = tostring, type = type, xpcall = xpcall,
    setmetatable = setmetatable, getmetatable = getmetatable, rawequal = rawequal, rawget = rawget,
    rawlen = rawlen, rawset = rawset, unpack = table.unpack,
    string = copy(string), table = copy(table), math = copy(math), bit32 = copy(bit32),
  }
  env._G = env
  env.log = function(s) p.logs[#p.logs + 1] = tostring(s) end
  -- Factorio's load: text chunks only, the scenario's globals by default.
  env.load = function(chunk, name, _, chunk_env) return load(chunk, name, "t", chunk_env or env) end
  env.table_size = function(t)
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    return n
  end
  local loaded = {}
  env.require = function(name)
    if loaded[name] == nil then
      local chunk
      for _, dir in ipairs(script_dirs(p.script)) do
        chunk = loadfile(dir .. name:gsub("%.", "/") .. ".lua", "t", env)
        if chunk then break end
      end
      assert(chunk, "module '" .. name .. "' not found for the " .. p.script)
      loaded[name] = chunk(name) or true
    end
    return loaded[name]
  end
  env.defines = { events = copy(event_ids) }

  local function note() p.registered_during[#p.registered_during + 1] = p.phase end
  local script = {
    active_mods = { base = p.api == "2.0" and "2.0.12" or "1.1.110" },
    level = { level_name = p.level_name },
    on_init = function(f) note(); p.lifecycle.on_init = f end,
    on_load = function(f) note(); p.lifecycle.on_load = f end,
    on_configuration_changed = function(f) note(); p.lifecycle.on_configuration_changed = f end,
    on_event = function(ids, f)
      note()
      if type(ids) ~= "table" then ids = { ids } end
      for _, id in ipairs(ids) do
        assert(type(id) == "number", "on_event: unknown event")
        p.events[id] = f
      end
    end,
    on_nth_tick = function(n, f)
      note()
      if n == nil then
        p.nth = {}
        return
      end
      if type(n) ~= "table" then n = { n } end
      for _, k in ipairs(n) do p.nth[k] = f end
    end,
    get_event_handler = function(id) return p.events[id] end,
  }
  env.script = script

  local remote = {
    add_interface = function(name, fns)
      if p.interfaces[name] then error("Remote interface with name " .. name .. " already exists.", 2) end
      p.interfaces[name] = fns
    end,
    remove_interface = function(name)
      local had = p.interfaces[name] ~= nil
      p.interfaces[name] = nil
      return had
    end,
    call = function(iface, fn, ...)
      local i = p.interfaces[iface]
      if not i or not i[fn] then error("Unknown interface: " .. tostring(iface) .. "." .. tostring(fn), 2) end
      return i[fn](...)
    end,
  }
  env.remote = remote

  local surfaces, by_index = {}, {}
  for i, name in ipairs(p.surface_names) do
    local s = lua_object("LuaSurface", { name = name, index = i, map_gen_settings = { seed = p.seed } })
    surfaces[name], by_index[i] = s, s
  end
  setmetatable(surfaces, { __index = function(_, k) return by_index[k] end })

  local function surface_key(s)
    if type(s) == "string" then return s end
    if type(s) == "number" then return p.surface_names[s] end
    return s.name
  end
  local function force(name)
    local fields = { name = name }
    if p.api == "2.0" then
      fields.get_item_production_statistics = function(s) return p:flow_statistics(name, surface_key(s)) end
      fields.get_fluid_production_statistics = function(s) return p:flow_statistics(name, surface_key(s), true) end
    else
      fields.item_production_statistics = getter(function() return p:flow_statistics(name, "all") end)
      fields.fluid_production_statistics = getter(function() return p:flow_statistics(name, "all", true) end)
    end
    return lua_object("LuaForce", fields)
  end

  local game_fields = {
    tick = getter(function() return p.tick end),
    -- Names in p.players (the RCON host sets them); each a LuaPlayer with a name.
    connected_players = getter(function()
      local list = {}
      for i, name in ipairs(p.players) do list[i] = lua_object("LuaPlayer", { name = name, index = i }) end
      return list
    end),
    forces = { player = force("player"), enemy = force("enemy"), neutral = force("neutral") },
    surfaces = surfaces,
    players = getter(function()
      local list = {}
      for i, name in ipairs(p.players) do list[i] = lua_object("LuaPlayer", { name = name, index = i }) end
      return list
    end),
    is_multiplayer = function() return p.role ~= "single" end,
    print = function(s) p.logs[#p.logs + 1] = "print: " .. tostring(s) end,
  }
  if p.api == "2.0" then
    env.helpers = lua_object("LuaHelpers", {
      write_file = function(...) return p:write_file(...) end,
      table_to_json = to_json,
      json_to_table = from_json,
    })
    env.storage = {}
  else
    game_fields.write_file = function(...) return p:write_file(...) end
    game_fields.table_to_json = to_json
    game_fields.json_to_table = from_json
    env.global = {}
  end
  p.game = lua_object("LuaGameScript", game_fields)
  p.env = env
end
