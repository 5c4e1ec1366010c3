-- The event stream: session_init and stats lines in the dashboard's schema, rates from game-tick
-- deltas of cumulative statistics, written by the server only.
local H = require("helpers")
local double = H.double

-- The seed's fields, the fluid maps, and in 2.0 the per-surface breakdown.
local STATS_KEYS = {
  ["1.1"] = { "cycle", "fluids_consumption", "fluids_production", "materials_consumption", "products_production", "session_id", "tick", "type" },
  ["2.0"] = {
    "cycle", "fluids_consumption", "fluids_production", "materials_consumption", "products_production", "session_id",
    "surfaces", "tick", "type",
  },
}
local INIT_KEYS = { "level_name", "session_id", "tick", "type" }

local function assert_rates(expected, got)
  assert.are.same(H.keys(expected), H.keys(got))
  for item, rate in pairs(expected) do
    assert.is_true(math.abs(got[item] - rate) <= 1e-9 * math.max(1, rate), item .. ": expected " .. rate .. ", got " .. got[item])
  end
end

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " events", function()
    it("session_init is written when the game starts", function()
      local server = H.game(api)
      local lines = double.lines(server)
      assert.are.equal(1, #lines)
      local init = lines[1].value
      assert.are.same(INIT_KEYS, H.keys(init))
      assert.are.equal("session_init", init.type)
      assert.are.equal(0, init.tick)
      assert.are.equal("open_world", init.level_name)
      assert.matches("^%x%x%x%x%x%x%x%x$", init.session_id)
    end)

    it("stats every 120 ticks have the exact schema and the rates of the factory", function()
      local server = H.game(api)
      server:run(600, H.factory)
      local stats = H.of_type(double.lines(server), "stats")
      assert.are.equal(5, #stats)
      local id = double.lines(server)[1].value.session_id
      for i, line in ipairs(stats) do
        local s = line.value
        assert.are.same(STATS_KEYS[api], H.keys(s))
        assert.are.equal(id, s.session_id)
        assert.are.equal(i, s.cycle)
        assert.are.equal(120 * i, s.tick)
        local want = H.expected(s.tick - 120, s.tick)
        assert_rates(want.products_production, s.products_production)
        assert_rates(want.materials_consumption, s.materials_consumption)
      end
      assert.are.equal(600, stats[1].value.products_production["iron-plate"])
      assert.are.equal(240, stats[1].value.materials_consumption["iron-plate"])
      -- 2.0: gears are made on the second surface, so this also proves the sum across surfaces.
      assert.are.equal(120, stats[1].value.products_production["iron-gear-wheel"])
      assert.matches('"iron-plate":600', stats[1].raw, 1, true)
    end)

    it("rates are per game minute over the ticks actually elapsed, fractions included", function()
      -- Starting at tick 43 makes the first interval 77 ticks long.
      local server = H.game(api, { start_tick = 43 })
      server:run(77 + 120, H.factory)
      local stats = H.of_type(double.lines(server), "stats")
      assert.are.equal(2, #stats)
      local first = stats[1].value
      assert.are.equal(120, first.tick)
      local want = H.expected(43, 120)
      assert_rates(want.products_production, first.products_production)
      assert_rates(want.materials_consumption, first.materials_consumption)
      assert.are_not.equal(math.floor(first.products_production["iron-plate"]), first.products_production["iron-plate"])
      assert.matches('"iron%-plate":607%.792207792', stats[1].raw)
      assert_rates(H.expected(120, 240).products_production, stats[2].value.products_production)
    end)

    it("idle items read 0, cleared statistics never give negative rates, an idle factory gives {}", function()
      local idle = H.game(api)
      idle:run(120)
      local line = H.of_type(double.lines(idle), "stats")[1]
      assert.matches('"materials_consumption":{}', line.raw, 1, true)
      assert.matches('"products_production":{}', line.raw, 1, true)

      local server = H.game(api)
      server:run(120, H.factory)
      server:run(120)
      local stats = H.of_type(double.lines(server), "stats")
      assert.are.same({ ["copper-cable"] = 0, ["electronic-circuit"] = 0, ["iron-gear-wheel"] = 0, ["iron-plate"] = 0 },
        stats[2].value.products_production)
      server.flow = {}
      server:run(120, function(p, tick) if tick % 6 == 0 then p:produce("iron-plate", 1) end end)
      server:run(120, function(p, tick) if tick % 6 == 0 then p:produce("iron-plate", 1) end end)
      stats = H.of_type(double.lines(server), "stats")
      assert.are.equal(0, stats[3].value.products_production["iron-plate"])
      assert.are.equal(600, stats[4].value.products_production["iron-plate"])
    end)

    it("only the server writes (for_player = 0), and a joined client stays in sync", function()
      local server = H.game(api)
      server:run(100, H.factory)
      local client = double.join(server)
      local before = #double.lines(server)
      double.run_all({ server, client }, 500, H.factory)
      assert.are.same({}, client.files)
      assert.is_true(client.skipped_writes > 0)
      assert.is_nil(double.desync({ server, client }))
      -- A client joining makes the server write nothing extra, no session_init in particular.
      local lines = double.lines(server)
      assert.are.equal(0, #H.of_type({ table.unpack(lines, before + 1) }, "session_init"))
      assert.are.equal(5, #lines - before)
    end)

    it("session_init is written once after a load, with the same id, and cycles continue", function()
      local server = H.game(api)
      server:run(250, H.factory)
      local id = double.lines(server)[1].value.session_id
      local restarted = double.load(server:save(), { role = "server" })
      assert.are.same({}, restarted.files)
      restarted:run(250, H.factory)
      local lines = double.lines(restarted)
      -- resumed + the save's last cycle: what a reader needs to tell a restart from a rewind.
      assert.are.same({ type = "session_init", session_id = id, tick = 251, level_name = "open_world", resumed = true, cycle = 2 }, lines[1].value)
      assert.are.equal(1, #H.of_type(lines, "session_init"))
      local stats = H.of_type(lines, "stats")
      assert.are.same({ 3, 4 }, { stats[1].value.cycle, stats[2].value.cycle })
      assert.are.same({ 360, 480 }, { stats[1].value.tick, stats[2].value.tick })
      assert_rates(H.expected(240, 360).products_production, stats[1].value.products_production)
    end)

    it("the output file can be changed through the remote interface; unsafe names are refused", function()
      local server = H.game(api)
      assert.are.equal('{"ok":true}', server:call("set_output_file", "fcr/events.jsonl"))
      server:run(120, H.factory)
      assert.are.equal(1, #double.lines(server, "fcr/events.jsonl"))
      assert.are.equal(1, #double.lines(server, "events.pipe"))
      for _, bad in ipairs({ "../x", "/etc/x", "", "a b", 5 }) do
        assert.is_false(H.json_call(server, "set_output_file", bad).ok)
      end
      assert.are.equal("fcr/events.jsonl", server:storage().output_file)
      local restarted = double.load(server:save(), { role = "server" })
      restarted:run(1)
      assert.are.equal(1, #double.lines(restarted, "fcr/events.jsonl"))
    end)

    it("new_session starts a new id and restarts cycles", function()
      local server = H.game(api)
      server:run(240, H.factory)
      local first = double.lines(server)[1].value.session_id
      local reply = H.json_call(server, "new_session")
      assert.is_true(reply.ok)
      assert.are_not.equal(first, reply.session_id)
      server:call("enqueue_json", '{"type":"new_session","session_id":"episode-7"}')
      server:run(120, H.factory)
      local inits = H.of_type(double.lines(server), "session_init")
      assert.are.same({ first, reply.session_id, "episode-7" }, { inits[1].value.session_id, inits[2].value.session_id, inits[3].value.session_id })
      local stats = H.of_type(double.lines(server), "stats")
      assert.are.same({ session_id = "episode-7", cycle = 1 }, { session_id = stats[3].value.session_id, cycle = stats[3].value.cycle })
    end)

    it("has no clock to read: the scenario's state has no os, io or debug", function()
      local server = H.game(api)
      assert.is_nil(server.env.os)
      assert.is_nil(server.env.io)
      assert.is_nil(server.env.debug)
    end)
  end)
end

describe("the JSON encoder", function()
  local jsonl = H.game("2.0"):module("jsonl")
  it("refuses non-finite numbers and encodes strings safely", function()
    assert.has_error(function() jsonl.encode({ x = 1 / 0 }) end)
    assert.has_error(function() jsonl.encode({ x = 0 / 0 }) end)
    assert.are.equal('{"a":"q\\"\\\\\\n\\u0001","b":[1,2.5],"c":{},"d":-3}', jsonl.encode({ a = 'q"\\\n\1', b = { 1, 2.5 }, c = {}, d = -3 }))
    assert.are.equal("[]", jsonl.encode(jsonl.array({})))
    assert.are.equal("1e+300", jsonl.encode(1e300))
  end)
end)
