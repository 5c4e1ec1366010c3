-- Tools: Lua code sent over RCON at run time. Factorio cannot save functions, and a function kept
-- only in a Lua global exists on the peers that saw the RCON command but not on a client that joins
-- later. So a tool is saved as its source text (storage.tools) and every peer compiles the same
-- texts, in the same order, with the same function (rebuild) on every path: on_init, on_load,
-- on_configuration_changed and after each install or removal.
--
-- Rules the loader enforces, because on_load runs with no `game` and a read-only storage:
--   * a tool's top level may only use pure Lua (string, table, math, defines, ...), so loading it
--     does the same thing at install time and during on_load;
--   * tools never see storage/global: a tool's saved state is ctx.data, passed to every call;
--   * tools cannot create globals (they would not be saved) and cannot register handlers
--     (script.on_event and friends), which is what breaks joins. They use the hooks below instead.
local M = {}

-- Hook names a tool may define; control.lua registers the matching events once, at load.
M.HOOKS = {
  on_tick = true,
  on_nth_tick_5 = true,
  on_nth_tick_15 = true,
  on_nth_tick_120 = true,
  on_script_path_request_finished = true,
  on_player_joined_game = true,
}

local LOAD_SAFE = {
  assert = true, error = true, ipairs = true, next = true, pairs = true, pcall = true, select = true,
  tonumber = true, tostring = true, type = true, xpcall = true, setmetatable = true, getmetatable = true,
  rawequal = true, rawget = true, rawlen = true, rawset = true, unpack = true,
  string = true, table = true, math = true, bit32 = true, defines = true, serpent = true, log = true,
  table_size = true,
}
local HIDDEN = { storage = true, global = true }
local NO_REGISTERING = {
  on_event = true, on_nth_tick = true, on_init = true, on_load = true, on_configuration_changed = true,
  generate_event_name = true,
}

-- Compiled tools: name -> table of functions. Local to this Lua state and never saved.
local compiled = {}
local order = {}
local report = function() end

-- A stand-in for `script` that refuses registration and passes everything else through.
local guarded_script = setmetatable({}, {
  __index = function(_, k)
    if NO_REGISTERING[k] then
      error("tools must not call script." .. k .. ": handlers are registered once in control.lua (use a hook)", 2)
    end
    return script[k]
  end,
  __newindex = function() error("tools cannot change script", 2) end,
})

local function make_env(name)
  local loading = true
  local env = setmetatable({}, {
    __index = function(_, k)
      if k == "script" then return guarded_script end
      if HIDDEN[k] then error("tool " .. name .. ": " .. k .. " is not available to tools; use ctx.data", 2) end
      if loading and not LOAD_SAFE[k] then
        error("tool " .. name .. ": '" .. tostring(k)
          .. "' cannot be used while the tool loads (it is absent in on_load); use it inside a function", 2)
      end
      return _G[k]
    end,
    __newindex = function(_, k)
      error("tool " .. name .. ": global '" .. tostring(k) .. "' would not be saved; keep state in ctx.data", 2)
    end,
  })
  return env, function() loading = false end
end

-- Error text may end up in storage, so it must be the same on every peer: addresses are not.
function M.clean_error(e)
  local s = tostring(e):gsub("0x%x+", "?"):gsub("%f[%w]%x%x%x%x%x%x%x%x+%f[%W]", "?")
  if #s > 300 then s = s:sub(1, 300) end
  return s
end

-- Source text -> table of functions, or nil and a message. Reads nothing but its arguments.
local function compile(name, source)
  local env, loaded = make_env(name)
  local chunk, err = load(source, "=tool:" .. name, "t", env)
  if not chunk then return nil, M.clean_error(err) end
  local ok, result = pcall(chunk)
  loaded()
  if not ok then return nil, M.clean_error(result) end
  if type(result) ~= "table" then return nil, "tool " .. name .. " must return a table of functions" end
  for k, v in pairs(result) do
    if type(k) ~= "string" or type(v) ~= "function" then
      return nil, "tool " .. name .. ": every field of the returned table must be a named function"
    end
  end
  return result
end

function M.ensure(d)
  d.tools = d.tools or {}
  d.tool_order = d.tool_order or {}
  d.tool_data = d.tool_data or {}
  d.tool_errors = d.tool_errors or {}
end

-- Rebuilds the compiled tools from saved sources. Only reads d: it runs in on_load too.
function M.rebuild(d)
  compiled, order = {}, {}
  for _, name in ipairs(d.tool_order or {}) do
    local entry = d.tools and d.tools[name]
    local t = entry and compile(name, entry.source)
    if t then
      compiled[name] = t
      order[#order + 1] = name
    end
  end
end

function M.set_reporter(fn)
  report = fn
end

function M.valid_name(name)
  return type(name) == "string" and #name <= 64 and name:match("^[%a_][%w_%-]*$") ~= nil
end

-- Installs or replaces a tool. A replaced tool keeps its ctx.data.
function M.install(d, name, source)
  if not M.valid_name(name) then return false, "a tool name is 1-64 letters, digits, _ or -, not starting with a digit" end
  if type(source) ~= "string" then return false, "source must be a string" end
  local _, err = compile(name, source)
  if err then return false, err end
  if not d.tools[name] then d.tool_order[#d.tool_order + 1] = name end
  d.tools[name] = { source = source }
  d.tool_data[name] = d.tool_data[name] or {}
  M.rebuild(d)
  return true
end

function M.remove(d, name)
  if not d.tools[name] then return false, "no tool named " .. tostring(name) end
  for i, n in ipairs(d.tool_order) do
    if n == name then
      table.remove(d.tool_order, i)
      break
    end
  end
  d.tools[name], d.tool_data[name], d.tool_errors[name] = nil, nil, nil
  M.rebuild(d)
  return true
end

local function failed(d, name, what, err)
  local msg = M.clean_error(err)
  -- Only the count is game state; the message goes to the event stream and the log.
  d.tool_errors[name] = (d.tool_errors[name] or 0) + 1
  report(name, what, msg)
end

-- Calls hook on every tool that defines it, in install order. With no tools it does nothing.
function M.dispatch(d, hook, event)
  -- A hook may install or remove tools (rebuild swaps these tables): iterate what we started with.
  local names, tools = order, compiled
  for i = 1, #names do
    local name = names[i]
    local f = tools[name][hook]
    if f then
      local ok, err = pcall(f, event, { name = name, data = d.tool_data[name] })
      if not ok then failed(d, name, hook, err) end
    end
  end
end

-- Calls one function of a tool with decoded JSON arguments: true, result or false, message.
function M.call(d, name, fn, args)
  local t = compiled[name]
  if not t then return false, "no tool named " .. tostring(name) end
  local f = type(fn) == "string" and t[fn]
  if not f then return false, "tool " .. name .. " has no function " .. tostring(fn) end
  local ok, result = pcall(f, args, { name = name, data = d.tool_data[name] })
  if not ok then
    failed(d, name, fn, result)
    return false, M.clean_error(result)
  end
  return true, result
end

-- Names of the compiled tools, in order (what this peer would dispatch to).
function M.loaded()
  local out = {}
  for i, name in ipairs(order) do out[i] = name end
  return out
end

return M
