-- JSON encoding for the event stream. Factorio's table_to_json cannot tell an empty object from an
-- empty array and does not sort keys; the dashboard needs {} for a cycle with no production, and
-- sorted keys make identical game states produce identical bytes. So the few shapes we send
-- (strings, numbers, booleans, arrays, objects) are encoded here.
local M = {}

local ESCAPES = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(c)
  return ESCAPES[c] or string.format("\\u%04x", c:byte())
end

local function number(x)
  -- JSON has no NaN or infinity; the dashboard rejects such lines, so refuse to make them.
  if x ~= x or x == math.huge or x == -math.huge then error("cannot encode a non-finite number", 0) end
  if x == math.floor(x) and x > -2 ^ 53 and x < 2 ^ 53 then return string.format("%d", x) end
  return string.format("%.14g", x)
end

-- Lists marked with M.array encode as JSON arrays even when empty.
local ARRAY = {}
function M.array(t)
  return setmetatable(t, ARRAY)
end

local function is_array(t)
  if getmetatable(t) == ARRAY then return true end
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local encode
function encode(v, depth)
  local tv = type(v)
  if tv == "string" then return '"' .. v:gsub('[%c"\\]', escape) .. '"' end
  if tv == "number" then return number(v) end
  if tv == "boolean" then return tostring(v) end
  if tv ~= "table" then error("cannot encode a " .. tv, 0) end
  if depth > 32 then error("nested too deep (a cycle?)", 0) end
  local out = {}
  if is_array(v) then
    for i = 1, #v do out[i] = encode(v[i], depth + 1) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do
    if type(k) ~= "string" then error("object keys must be strings", 0) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do out[i] = encode(k, depth + 1) .. ":" .. encode(v[k], depth + 1) end
  return "{" .. table.concat(out, ",") .. "}"
end

-- One value as JSON text. Raises on values JSON cannot carry (callers pcall it).
function M.encode(v)
  return encode(v, 0)
end

return M
