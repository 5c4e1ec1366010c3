-- Exactly one copy of every line whoever hosts the game, session ids that differ between games of
-- the same seed, and the production window's fluids, surfaces and qualities.
local H = require("helpers")
local double = H.double

-- Every line written by any peer, in peer order.
local function all_lines(peers)
  local out = {}
  for _, p in ipairs(peers) do
    for _, l in ipairs(double.lines(p)) do out[#out + 1] = l.raw end
  end
  return out
end

for _, api in ipairs(H.APIS) do
  for _, script in ipairs({ "scenario", "mod" }) do
    describe("Factorio " .. api .. " " .. script .. " output", function()
      it("single-player writes every line exactly once", function()
        local game = H.game(api, { role = "single", script = script })
        game:run(360, H.factory)
        local lines = double.lines(game)
        assert.are.equal(4, #lines)
        assert.are.same({ "session_init", "stats", "stats", "stats" }, {
          lines[1].value.type, lines[2].value.type, lines[3].value.type, lines[4].value.type,
        })
      end)

      it("a player-hosted game and a headless server each write one copy across all peers", function()
        for _, role in ipairs({ "host", "server" }) do
          local host = H.game(api, { role = role, script = script })
          local client = double.join(host)
          double.run_all({ host, client }, 360, H.factory)
          local lines = all_lines({ host, client })
          assert.are.equal(4, #lines, role)
          assert.are.same({}, client.files)
        end
      end)
    end)
  end

  describe("Factorio " .. api .. " session ids", function()
    it("two games from the same seed differ when their players differ", function()
      local a = H.game(api, { seed = 42, players = { "alice" } })
      local b = H.game(api, { seed = 42, players = { "bob" } })
      assert.are_not.equal(double.lines(a)[1].value.session_id, double.lines(b)[1].value.session_id)
    end)

    it("the mod added to two saves of the same seed at the same tick differs by their history", function()
      local function with_mod(extra)
        local old = H.game(api, { seed = 42, script = "none" })
        old:run(600, function(p, tick)
          H.factory(p, tick)
          if extra and tick % 10 == 0 then p:produce("stone", 1) end
        end)
        return double.lines(double.load(old:save(), { role = "server", script = "mod" }))[1].value.session_id
      end
      assert.are_not.equal(with_mod(false), with_mod(true))
    end)
  end)

  describe("Factorio " .. api .. " production window", function()
    it("fluids produced and consumed per minute, as optional maps beside the item totals", function()
      local game = H.game(api)
      game:run(120, function(p, tick)
        H.factory(p, tick)
        p:produce_fluid("water", 100)
        if tick % 2 == 0 then p:consume_fluid("water", 60) end
      end)
      local s = H.of_type(double.lines(game), "stats")[1].value
      assert.are.same({ water = 100 * 3600 }, s.fluids_production)
      assert.are.same({ water = 30 * 3600 }, s.fluids_consumption)
      assert.are.equal(600, s.products_production["iron-plate"])
    end)
  end)
end

describe("Factorio 2.0 production window", function()
  it("per surface, only what moved, with every quality merged into the item's totals", function()
    local game = H.game("2.0")
    game:run(120, function(p, tick)
      H.factory(p, tick)
      if tick % 12 == 0 then p:produce("iron-plate", 1, "nauvis", nil, "rare") end
    end)
    local s = H.of_type(double.lines(game), "stats")[1].value
    -- 600/min normal + 300/min rare on nauvis.
    assert.are.equal(900, s.products_production["iron-plate"])
    assert.are.equal(900, s.surfaces.nauvis.products_production["iron-plate"])
    assert.are.same({ ["iron-gear-wheel"] = 120 }, s.surfaces["platform-1"].products_production)
    assert.are.same({ ["iron-plate"] = 240 }, s.surfaces["platform-1"].materials_consumption)
    assert.is_nil(s.surfaces.nauvis.products_production["iron-gear-wheel"])
    assert.are.same({}, s.surfaces.nauvis.fluids_production)
  end)

  it("1.1 has no surfaces field", function()
    local game = H.game("1.1")
    game:run(120, H.factory)
    assert.is_nil(H.of_type(double.lines(game), "stats")[1].value.surfaces)
  end)
end)
