-- A stand-in Factorio server process for the slot tests: the real scenario running under the
-- double, answering RCON commands relayed on stdin. Each command first advances the game 60 ticks
-- (a second of game time), so the tick moves between polls. After every command the map is saved
-- to --save FILE (when given), which is what a joining client would download.
--   lua5.2 rcon_host.lua [--api 2.0|1.1] [--players a,b] [--save FILE] [--stale-save VERSION]
-- stdin:  {"id":N,"command":"/sc ..."} per line    stdout: {"id":N,"out":"..."} per line
local here = arg[0]:match("^(.*)rcon_host%.lua$") or "./"
package.path = here .. "?.lua;" .. package.path
local H = require("helpers")
local dkjson = require("dkjson")

local opts = { api = "2.0", players = {}, save = nil, stale = nil }
local i = 1
while i <= #arg do
  local k, v = arg[i], arg[i + 1]
  if k == "--api" then opts.api = v
  elseif k == "--players" then
    for name in v:gmatch("[^,]+") do opts.players[#opts.players + 1] = name end
  elseif k == "--save" then opts.save = v
  elseif k == "--stale-save" then opts.stale = v
  else error("unknown argument " .. tostring(k)) end
  i = i + 2
end

local server = H.game(opts.api, {})
server.players = opts.players
if opts.stale then
  -- A save created by an older scenario: what the game would load after files were redeployed.
  server:storage().runtime_version = opts.stale
end

local function save()
  if not opts.save then return end
  local f = assert(io.open(opts.save .. ".tmp", "w"))
  f:write(server:save())
  f:close()
  assert(os.rename(opts.save .. ".tmp", opts.save))
end
save()

local function execute(command)
  server:run(60, H.factory)
  local code = command:match("^/sc (.*)$") or command:match("^/silent%-command (.*)$") or command:match("^/c (.*)$")
  if not code then return "Unknown command \"" .. (command:match("^/?(%S*)") or "") .. "\"." end
  local out, err = server:rcon(code)
  if out == nil then return "Cannot execute command. Error: " .. tostring(err) end
  return out
end

io.stdout:setvbuf("line")
for line in io.lines() do
  local req = dkjson.decode(line)
  local ok, out = pcall(execute, req.command)
  if not ok then out = "Cannot execute command. Error: " .. tostring(out) end
  save()
  io.write(dkjson.encode({ id = req.id, out = out }), "\n")
end
