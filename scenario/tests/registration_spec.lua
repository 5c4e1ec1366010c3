-- The join-proof property: the registered events and nth-ticks are fixed when control.lua loads,
-- and a client that loads the save into a fresh Lua state registers exactly the same set.
local H = require("helpers")
local double = H.double

local EXPECTED = {
  events = { "on_player_joined_game", "on_script_path_request_finished", "on_tick" },
  nth_ticks = { 5, 15, 120 },
  lifecycle = { "on_configuration_changed", "on_init", "on_load" },
}

describe("the runtime", function()
  it("is Lua 5.2", function()
    assert.are.equal("Lua 5.2", _VERSION)
  end)
end)

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " registration", function()
    it("registers the fixed set, and only while control.lua loads", function()
      local server = H.game(api)
      assert.are.same(EXPECTED, server:registrations())
      assert.is_true(#server.registered_during >= 9)
      for _, phase in ipairs(server.registered_during) do assert.are.equal("control", phase) end
      server:run(1000, H.factory)
      server:raise("on_player_joined_game", { player_index = 1 })
      server:raise("on_script_path_request_finished", { id = 1 })
      assert.are.same(EXPECTED, server:registrations())
      for _, phase in ipairs(server.registered_during) do assert.are.equal("control", phase) end
    end)

    it("a joining client (save -> fresh Lua state -> on_load) registers the same set", function()
      local server = H.game(api)
      server:run(250, H.factory)
      local client = double.join(server)
      assert.are_not.equal(server.env, client.env)
      assert.are_not.equal(server:storage(), client:storage())
      assert.are.same(server:registrations(), client:registrations())
      assert.are.same(EXPECTED, client:registrations())
      assert.is_nil(double.desync({ server, client }))
    end)

    it("the set stays the same after tools were injected, directly and through the queue", function()
      local server = H.game(api)
      assert.are.equal('{"ok":true}', server:call("install_tool", "counter", H.COUNTER_TOOL))
      local cmd = '{"type":"install_tool","name":"walker",'
        .. '"source":"return { on_nth_tick_5 = function(_, ctx) ctx.data.n = (ctx.data.n or 0) + 1 end }"}'
      assert.are.equal('{"id":1,"ok":true}', server:call("enqueue_json", cmd))
      server:run(300, H.factory)
      assert.are.same({ "counter", "walker" }, server:module("tools").loaded())
      local client = double.join(server)
      assert.are.same(EXPECTED, client:registrations())
      assert.are.same({ "counter", "walker" }, client:module("tools").loaded())
      double.run_all({ server, client }, 300, H.factory)
      assert.is_nil(double.desync({ server, client }))
      -- A third peer joining after more play, from a save made by the server.
      local late = double.join(server)
      assert.are.same(EXPECTED, late:registrations())
    end)

    it("get_registrations answers what the engine recorded, on server and client, under 4 KB", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      local client = double.join(server)
      for _, peer in ipairs({ server, client }) do
        local reply, text = H.json_call(peer, "get_registrations")
        local recorded = peer:registrations()
        assert.are.same(recorded.events, reply.events)
        assert.are.same(recorded.nth_ticks, reply.nth_ticks)
        assert.are.same(recorded.lifecycle, reply.lifecycle)
        assert.is_true(#text < 4096)
      end
      -- Through RCON as a monitor would call it.
      local out = server:rcon('rcon.print(remote.call("open_world", "get_registrations"))')
      assert.are.equal(server:call("get_registrations"), out)
    end)

    it("a handler registered at run time makes the join fail with script-event-mismatch (the double's check works)", function()
      local server = H.game(api)
      local _, err = server:rcon("script.on_event(defines.events.on_built_entity, function() end)")
      assert.is_nil(err)
      local ok, msg = pcall(double.join, server)
      assert.is_false(ok)
      assert.matches("multiplayer.script-event-mismatch", msg, 1, true)
      assert.matches("on_built_entity", msg, 1, true)

      local other = H.game(api)
      other:rcon("script.on_nth_tick(7, function() end)")
      ok, msg = pcall(double.join, other)
      assert.is_false(ok)
      assert.matches("script-event-mismatch", msg, 1, true)
      assert.matches("not after loading: [] nth [7]", msg, 1, true)
    end)

    it("a tool cannot register handlers, at load or at run time", function()
      local server = H.game(api)
      local reply = H.json_call(server, "install_tool", "bad", "script.on_event(defines.events.on_built_entity, function() end) return {}")
      assert.is_false(reply.ok)
      assert.matches("must not call script.on_event", reply.error, 1, true)
      reply = H.json_call(server, "install_tool", "sneaky",
        "return { on_tick = function() script.on_nth_tick(7, function() end) end }")
      assert.is_true(reply.ok)
      server:run(10)
      assert.are.equal(10, server:storage().tool_errors.sneaky)
      assert.are.same(EXPECTED, server:registrations())
      local client = double.join(server)
      assert.are.same(EXPECTED, client:registrations())
    end)

    it("handlers do nothing without tools", function()
      local server = H.game(api)
      server:run(1000, H.factory)
      server:raise("on_player_joined_game", { player_index = 1 })
      server:raise("on_script_path_request_finished", { id = 3 })
      local d = server:storage()
      assert.are.same({}, d.tools)
      assert.are.same({}, d.tool_data)
      assert.are.same({}, d.tool_errors)
      local lines = double.lines(server)
      assert.are.equal(1, #H.of_type(lines, "session_init"))
      assert.are.equal(8, #H.of_type(lines, "stats"))
      assert.are.equal(9, #lines)
    end)

    it("on_configuration_changed keeps the same set and the tools", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(100)
      local migrated = double.load(server:save(), { role = "server", configuration_changed = true })
      assert.are.same(EXPECTED, migrated:registrations())
      assert.are.same({ "counter" }, migrated:module("tools").loaded())
      migrated:run(20)
      assert.are.equal(120, migrated:storage().tool_data.counter.tick)
    end)
  end)
end
