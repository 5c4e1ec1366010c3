-- LuaObject stand-ins for the Factorio double: objects that raise on a key their class lacks (as
-- the game does), fields read through getters, and a shallow copy.
local M = {}

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- A LuaObject stand-in: fields from `fields`, anything else is an error naming the class.
local function lua_object(class, fields)
  return setmetatable({}, {
    __index = function(_, k)
      local v = fields[k]
      if v == nil then error(class .. " doesn't contain key " .. tostring(k) .. ".", 2) end
      if type(v) == "table" and getmetatable(v) == "getter" then return v.get() end
      return v
    end,
    __newindex = function(_, k, v)
      if fields[k] == nil then error(class .. " doesn't contain key " .. tostring(k) .. ".", 2) end
      fields[k] = v
    end,
  })
end

local function getter(fn)
  return setmetatable({ get = fn }, { __metatable = "getter" })
end

M.copy, M.lua_object, M.getter = copy, lua_object, getter
return M
