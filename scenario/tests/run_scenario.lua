-- Plays the scenario under the Factorio double and writes its real output, for the TypeScript
-- integration test (and by hand). Each write opens, appends and closes the file, as the game does.
--   lua5.2 run_scenario.lua --out DIR [--api 2.0|1.1] [--ticks N] [--restart-at T]
--                           [--mod-dir DIR [--added-at T]]
-- The server runs the helpers' factory; at --restart-at it saves and a fresh server loads the
-- save and plays on. With --mod-dir the control-room mod is played instead, from that folder alone
-- (an unpacked package), added at tick --added-at (default 0) to a freeplay save that ran without it.
-- Prints {"text": everything written to events.pipe} as JSON on stdout.
local here = arg[0]:match("^(.*)run_scenario%.lua$") or "./"
package.path = here .. "?.lua;" .. package.path
local H = require("helpers")
local dkjson = require("dkjson")

local opts = { api = "2.0", ticks = 1200, restart_at = nil, out = nil, mod_dir = nil, added_at = 0 }
local i = 1
while i <= #arg do
  local k, v = arg[i], arg[i + 1]
  if k == "--api" then opts.api = v
  elseif k == "--ticks" then opts.ticks = tonumber(v)
  elseif k == "--restart-at" then opts.restart_at = tonumber(v)
  elseif k == "--out" then opts.out = v
  elseif k == "--mod-dir" then opts.mod_dir = v
  elseif k == "--added-at" then opts.added_at = tonumber(v)
  else error("unknown argument " .. tostring(k)) end
  i = i + 2
end
assert(opts.out, "--out DIR is required")

local server
if opts.mod_dir then
  H.double.MOD_DIR = opts.mod_dir:gsub("/?$", "/")
  H.double.MOD_SHARED_DIR = H.double.MOD_DIR
  local freeplay = H.game(opts.api, { script = "none", level_name = "freeplay" })
  freeplay:run(opts.added_at, H.factory)
  server = H.double.load(freeplay:save(), { role = "server", script = "mod", output_dir = opts.out })
  opts.ticks = opts.ticks - opts.added_at
  if opts.restart_at then opts.restart_at = opts.restart_at - opts.added_at end
else
  server = H.game(opts.api, { output_dir = opts.out })
  server:call("enqueue_json", '{"type":"log","message":"integration run"}')
end
local first = opts.restart_at or opts.ticks
server:run(first, H.factory)
local text = server.files["events.pipe"] or ""
if opts.restart_at then
  local restarted = H.double.load(server:save(), { role = "server", output_dir = opts.out })
  restarted:run(opts.ticks - first, H.factory)
  text = text .. (restarted.files["events.pipe"] or "")
end
io.write(dkjson.encode({ text = text }), "\n")
