-- control-room: the dashboard's event stream for any save (freeplay, Space Age, a modded game).
-- The emitter is the open_world scenario's (scenario/open_world/emitter.lua and what it requires);
-- the mod's package puts those files beside this one, so the Lua exists once.
--
-- Join-proof like the scenario: every handler is registered here, unconditionally, when this file
-- loads, so a client that joins registers exactly what the save was made with. Added to an existing
-- save, Factorio runs on_init (a fresh storage for this mod) and then on_configuration_changed;
-- removed, its storage goes with it and the save loads as before: nothing else is touched.
local compat = require("compat")
local emitter = require("emitter")

local data = compat.data
emitter.set_name("control-room")

script.on_init(function() emitter.init(data()) end)

-- on_load: no game, read-only storage; the session is announced again on the next tick.
script.on_load(function() emitter.on_load() end)

-- A new version of this mod, or of anything else in the save: fields a newer emitter expects.
script.on_configuration_changed(function() emitter.ensure(data()) end)

script.on_event(defines.events.on_tick, function() emitter.on_tick(data()) end)

script.on_nth_tick(emitter.STATS_EVERY, function(event) emitter.take_stats(data(), event.tick) end)

-- For episode-based runs on a server: /sc remote.call("control_room", "new_session", "episode-7")
remote.add_interface("control_room", {
  new_session = function(id)
    if id ~= nil and (type(id) ~= "string" or #id < 1 or #id > 200) then return false end
    emitter.start_session(data(), id)
    return data().session.id
  end,
  get_session = function() return data().session.id end,
})
