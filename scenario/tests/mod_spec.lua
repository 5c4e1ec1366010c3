-- The control-room mod under the double: the scenario's emitter in any save. Added to a save that
-- never had it, joined by peers, reloaded from an earlier save, and removed again.
local H = require("helpers")
local double = H.double

local MOD_REGISTRATIONS = {
  events = { "on_tick" },
  nth_ticks = { 120 },
  lifecycle = { "on_configuration_changed", "on_init", "on_load" },
}

-- A freeplay save that has run `ticks` ticks of the factory without the mod.
local function freeplay(api, ticks, opts)
  opts = opts or {}
  opts.script, opts.level_name = "none", "freeplay"
  local game = H.game(api, opts)
  game:run(ticks, H.factory)
  return game
end

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " control-room mod", function()
    it("added to a save that had no mod: session_init at once, stats from then on, rates of the factory", function()
      local old = freeplay(api, 1000)
      assert.are.same({}, old.files)
      local server = double.load(old:save(), { role = "server", script = "mod" })
      assert.are.same(MOD_REGISTRATIONS, server:registrations())
      local lines = double.lines(server)
      assert.are.equal(1, #lines)
      assert.are.same({ "level_name", "session_id", "tick", "type" }, H.keys(lines[1].value))
      assert.are.same({ "session_init", 1000, "freeplay" }, { lines[1].value.type, lines[1].value.tick, lines[1].value.level_name })
      server:run(440, H.factory)
      local stats = H.of_type(double.lines(server), "stats")
      assert.are.equal(4, #stats)
      -- The first cycle counts from the moment the mod arrived (tick 1000), not from the map's start.
      assert.are.equal(1080, stats[1].value.tick)
      local want = H.expected(1000, 1080)
      for item, rate in pairs(want.products_production) do
        assert.is_true(math.abs(stats[1].value.products_production[item] - rate) < 1e-9, item)
      end
      assert.are.same({ 1, 2, 3, 4 }, { stats[1].value.cycle, stats[2].value.cycle, stats[3].value.cycle, stats[4].value.cycle })
    end)

    it("two peers joining register what the save holds, stay in sync, and write nothing", function()
      local server = double.load(freeplay(api, 300):save(), { role = "server", script = "mod" })
      server:run(100, H.factory)
      local first = double.join(server)
      double.run_all({ server, first }, 130, H.factory)
      local second = double.join(server)
      local before = #double.lines(server)
      double.run_all({ server, first, second }, 360, H.factory)
      for _, peer in ipairs({ first, second }) do
        assert.are.same(MOD_REGISTRATIONS, peer:registrations())
        assert.are.same({}, peer.files)
      end
      assert.is_nil(double.desync({ server, first, second }))
      -- Exactly one copy of each cycle, and no session_init for a join.
      local lines = { table.unpack(double.lines(server), before + 1) }
      assert.are.equal(3, #lines)
      for _, l in ipairs(lines) do assert.are.equal("stats", l.value.type) end
    end)

    it("a reload from an earlier tick announces the save's cycle, lower than the last one written", function()
      local server = double.load(freeplay(api, 0):save(), { role = "server", script = "mod" })
      server:run(240, H.factory)
      local early = server:save()
      server:run(360, H.factory)
      local last = H.of_type(double.lines(server), "stats")
      local last_cycle = last[#last].value.cycle
      assert.are.equal(5, last_cycle)
      local rewound = double.load(early, { role = "server" })
      rewound:run(120, H.factory)
      local lines = double.lines(rewound)
      local init = lines[1].value
      assert.are.same({ "cycle", "level_name", "resumed", "session_id", "tick", "type" }, H.keys(init))
      assert.is_true(init.resumed)
      assert.are.equal(last[1].value.session_id, init.session_id)
      assert.is_true(init.cycle < last_cycle)
      assert.are.equal(241, init.tick)
      assert.are.same({ "stats", 3, 360 }, { lines[2].value.type, lines[2].value.cycle, lines[2].value.tick })
    end)

    it("removed again, the save loads and plays on without it", function()
      local server = double.load(freeplay(api, 100):save(), { role = "server", script = "mod" })
      server:run(500, H.factory)
      local without = double.load(server:save(), { role = "server", script = "none" })
      without:run(500, H.factory)
      assert.are.same({}, without.files)
      assert.are.same({ events = {}, nth_ticks = {}, lifecycle = {} }, without:registrations())
      -- And added back later, it starts a new session from there.
      local again = double.load(without:save(), { role = "server", script = "mod" })
      local init = double.lines(again)[1].value
      assert.are.same({ "session_init", 1100 }, { init.type, init.tick })
    end)

    it("the mod's files are its own control.lua plus the scenario's emitter, not copies", function()
      local server = double.load(freeplay(api, 0):save(), { role = "server", script = "mod" })
      assert.are.equal(server:module("emitter"), server:module("emitter"))
      local f = io.open(double.MOD_DIR .. "emitter.lua")
      assert.is_nil(f)
      if f then f:close() end
    end)
  end)
end
