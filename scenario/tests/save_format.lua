-- How the Factorio double saves a map's script state: a canonical text of a table tree, with
-- shared tables and cycles kept, that refuses what Factorio cannot save (functions, coroutines,
-- userdata). Canonical (keys sorted, tables numbered in visit order) so that two peers with the
-- same state produce the same text: comparing texts is the double's desync check.
local M = {}

local TYPE_ORDER = { boolean = 1, number = 2, string = 3 }

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return TYPE_ORDER[ta] < TYPE_ORDER[tb] end
  if ta == "boolean" then return (not a) and b end
  return a < b
end

local function literal(v)
  local tv = type(v)
  if tv == "string" then return string.format("%q", v) end
  if tv == "boolean" then return tostring(v) end
  if v ~= v then return "(0/0)" end
  if v == math.huge then return "(1/0)" end
  if v == -math.huge then return "(-1/0)" end
  return string.format("%.17g", v)
end

-- Table tree -> text. Raises, naming the path, on anything Factorio would refuse to save.
function M.dump(root, root_name)
  local ids, lines, count = {}, {}, 0
  local function visit(t, path)
    if ids[t] then return ids[t] end
    count = count + 1
    local id = count
    ids[t] = id
    local keys = {}
    for k in pairs(t) do
      if not TYPE_ORDER[type(k)] then error("cannot save: a " .. type(k) .. " key in " .. path, 0) end
      keys[#keys + 1] = k
    end
    table.sort(keys, key_before)
    for _, k in ipairs(keys) do
      local v = t[k]
      local where = path .. "[" .. literal(k) .. "]"
      local value
      if type(v) == "table" then
        value = "T[" .. visit(v, where) .. "]"
      elseif TYPE_ORDER[type(v)] then
        value = literal(v)
      else
        error("cannot save: " .. where .. " is a " .. type(v) .. " (only nil, booleans, numbers, strings and tables can be saved)", 0)
      end
      lines[#lines + 1] = "T[" .. id .. "][" .. literal(k) .. "]=" .. value
    end
    return id
  end
  visit(root, root_name or "storage")
  return "local T={} for i=1," .. count .. " do T[i]={} end\n" .. table.concat(lines, "\n") .. "\nreturn T[1]\n"
end

-- Text -> a new table tree, sharing nothing with the tree that was dumped.
function M.restore(text)
  local chunk = assert(load(text, "=save", "t", {}))
  return chunk()
end

return M
