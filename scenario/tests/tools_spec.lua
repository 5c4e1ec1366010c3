-- Tools survive save/load identically on every peer: they are saved as source text and compiled
-- the same way on the server, after a restart and on a client that joins later.
local H = require("helpers")
local double = H.double

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " tools", function()
    it("dispatch every pre-registered hook to an installed tool", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(240)
      server:raise("on_player_joined_game", { player_index = 3 })
      server:raise("on_script_path_request_finished", { id = 9 })
      assert.are.same({ tick = 240, nth5 = 48, nth15 = 16, nth120 = 2, joined = 1, last_player = 3, paths = 1, last_path = 9 },
        server:storage().tool_data.counter)
    end)

    it("a client joining later rebuilds the same tools and stays in sync with the server", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(100, H.factory)
      local client = double.join(server)
      assert.are.same(server:module("tools").loaded(), client:module("tools").loaded())
      local peers = { server, client }
      for round = 1, 5 do
        double.run_all(peers, 60, H.factory)
        local sum = double.rcon_all(peers, [[rcon.print(remote.call("open_world", "call_tool", "counter", "add", '{"n":2}'))]])
        assert.are.equal('{"ok":true,"result":' .. round * 2 .. '}', sum)
        assert.is_nil(double.desync(peers))
      end
      assert.are.equal(400, client:storage().tool_data.counter.tick)
      assert.are.same(server:storage().tool_data, client:storage().tool_data)
    end)

    it("survive a server restart from the save and keep their state", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(130)
      local restarted = double.load(server:save(), { role = "server" })
      restarted:run(70)
      assert.are.equal(200, restarted:storage().tool_data.counter.tick)
      local reply = H.json_call(restarted, "call_tool", "counter", "counts")
      assert.is_true(reply.ok)
      assert.are.equal(40, reply.result.nth5)
    end)

    it("keeping state outside ctx.data desyncs a late joiner (the check that enforces the rule can fail)", function()
      local server = H.game(api)
      local reply = H.json_call(server, "install_tool", "leaky", [[
        local seen = 0
        return { on_tick = function(_, ctx) seen = seen + 1; ctx.data.seen = seen end }
      ]])
      assert.is_true(reply.ok)
      server:run(50)
      local client = double.join(server)
      double.run_all({ server, client }, 10)
      assert.is_not_nil(double.desync({ server, client }))
    end)

    it("a function in storage cannot be saved; the scenario never puts one there", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(30)
      assert.has_no.errors(function() server:save() end)
      server:rcon("local d = storage or global; d.oops = function() end")
      local ok, err = pcall(server.save, server)
      assert.is_false(ok)
      assert.matches("cannot save", err, 1, true)
      assert.matches("oops", err, 1, true)
    end)

    it("a tool's top level may not use game, storage or globals, and nothing is stored then", function()
      local server = H.game(api)
      local cases = {
        { "return { x = game.tick }", "cannot be used while the tool loads" },
        { "local s = storage return {}", "not available to tools" },
        { "local s = global return {}", "not available to tools" },
        { "counter = 1 return {}", "would not be saved" },
        { "return 5", "must return a table of functions" },
        { "return { n = 1 }", "must be a named function" },
        { "return {", "expected" },
      }
      for _, case in ipairs(cases) do
        local reply = H.json_call(server, "install_tool", "t", case[1])
        assert.is_false(reply.ok)
        assert.matches(case[2], reply.error, 1, true)
      end
      assert.are.same({}, server:storage().tool_order)
      assert.are.same({}, server:storage().tools)
      assert.is_false(H.json_call(server, "install_tool", "9bad name", "return {}").ok)
    end)

    it("run-time errors in tools are contained, counted the same everywhere and reported by the server only", function()
      local server = H.game(api)
      server:call("install_tool", "broken", "return { on_nth_tick_5 = function() undefined_global = 1 end }")
      local client = double.join(server)
      double.run_all({ server, client }, 20)
      assert.are.equal(4, server:storage().tool_errors.broken)
      assert.is_nil(double.desync({ server, client }))
      local errors = H.of_type(double.lines(server), "tool_error")
      assert.are.equal(4, #errors)
      assert.are.equal("broken", errors[1].value.tool)
      assert.are.equal("on_nth_tick_5", errors[1].value["function"])
      assert.matches("would not be saved", errors[1].value.message, 1, true)
      assert.are.equal(0, #double.lines(client))
      assert.are.equal(4, H.json_call(server, "get_info").tool_errors)
    end)

    it("call_tool answers with the result, and errors carry no addresses", function()
      local server = H.game(api)
      server:call("install_tool", "calc", [[
        return {
          double = function(args) return { value = args.n * 2 } end,
          explode = function() error("bad thing " .. tostring({})) end,
        }
      ]])
      assert.are.equal('{"ok":true,"result":{"value":42}}', server:call("call_tool", "calc", "double", '{"n":21}'))
      local reply = H.json_call(server, "call_tool", "calc", "explode")
      assert.is_false(reply.ok)
      assert.matches("bad thing table: ?", reply.error, 1, true)
      assert.is_nil(reply.error:match("0x%x+"))
      assert.is_false(H.json_call(server, "call_tool", "calc", "missing").ok)
      assert.is_false(H.json_call(server, "call_tool", "nope", "double").ok)
      assert.is_false(H.json_call(server, "call_tool", "calc", "double", "{not json").ok)
    end)

    it("replacing a tool keeps its data; removing it drops tool, data and hooks", function()
      local server = H.game(api)
      server:call("install_tool", "counter", H.COUNTER_TOOL)
      server:run(10)
      server:call("install_tool", "counter", "return { on_tick = function(_, ctx) ctx.data.tick = ctx.data.tick + 10 end }")
      server:run(1)
      assert.are.equal(20, server:storage().tool_data.counter.tick)
      assert.are.same({ "counter" }, server:storage().tool_order)
      assert.is_true(H.json_call(server, "remove_tool", "counter").ok)
      server:run(5)
      assert.are.same({}, server:storage().tool_order)
      assert.is_nil(server:storage().tool_data.counter)
      assert.is_false(H.json_call(server, "remove_tool", "counter").ok)
      assert.are.equal("[]", double.join(server):call("list_tools"))
    end)
  end)
end
