-- A stand-in Factorio client for the join test: `--mp-connect host:port` loads the save the RCON
-- host last wrote (FAKE_FACTORIO_SAVE) into a fresh Lua state through the double, exactly as a
-- joining client would, and prints the log lines a real client prints: reaching InGame, or the
-- script-event mismatch that dynamic registrations cause. Then it quits.
local here = arg[0]:match("^(.*)fake_client%.lua$") or "./"
package.path = here .. "?.lua;" .. package.path
local double = require("factorio_double")

local target
for i = 1, #arg do
  if arg[i] == "--mp-connect" then target = arg[i + 1] end
end
local t = 0
local function log(level, where, text)
  t = t + 0.137
  io.write(string.format("%8.3f %s %s: %s\n", t, level, where, text))
  io.flush()
end

io.write("   0.000 2024-05-01 12:00:00; Factorio 2.0.12 (build 79000, linux64, full)\n")
if not target then
  log("Error", "Main.cpp:1234", "no --mp-connect given")
  os.exit(1)
end
log("Info", "ClientMultiplayerManager.cpp:412", "Connecting to " .. target)
log("Info", "ClientMultiplayerManager.cpp:1016", "updateTick(0) changing state from(Ready) to(Connecting)")
local path = os.getenv("FAKE_FACTORIO_SAVE")
local f = path and io.open(path, "r")
if not f then
  log("Info", "ClientMultiplayerManager.cpp:1016", "updateTick(0) changing state from(Connecting) to(Disconnected)")
  log("Info", "ClientMultiplayerManager.cpp:280", 'MultiplayerManager failed: "Couldn\'t establish network communication with server."')
  os.exit(1)
end
local save = f:read("*a")
f:close()
log("Info", "ClientMultiplayerManager.cpp:1016", "updateTick(0) changing state from(Connecting) to(ConnectedLoadingMap)")
local ok, err = pcall(double.load, save, { role = "client" })
if ok then
  log("Info", "ClientMultiplayerManager.cpp:1016", "updateTick(61) changing state from(ConnectedLoadingMap) to(TryingToCatchUp)")
  log("Info", "ClientMultiplayerManager.cpp:1016", "updateTick(62) changing state from(TryingToCatchUp) to(InGame)")
  os.exit(0)
end
local msg = tostring(err)
local WHERE = "ScriptEventRegistration.cpp:88"
local missing = msg:match("not after loading: %[([^%]]*)%]") or ""
local added = msg:match("result of loading: %[([^%]]*)%]") or ""
if missing ~= "" then
  log("Error", WHERE, "level was registered for the following events when the map was saved"
    .. " but has not registered them as a result of loading: " .. missing)
end
if added ~= "" then
  log("Error", WHERE, "level was not registered for the following events when the map was saved"
    .. " but has registered them as a result of loading: " .. added)
end
local which = missing ~= "" and missing or added
log("Info", "ClientMultiplayerManager.cpp:280", 'MultiplayerManager failed: "" + multiplayer.script-event-mismatch + ' .. which)
os.exit(1)
