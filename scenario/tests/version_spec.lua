-- The runtime version: reported, stored in the save at creation, and stale saves are visible.
local H = require("helpers")
local double = H.double

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " version", function()
    local VERSION = dofile(double.SCENARIO_DIR .. "version.lua")

    it("get_version is version.lua's string, and a new save records it", function()
      local server = H.game(api)
      assert.matches("^open_world%-runtime%-", VERSION)
      assert.are.equal(VERSION, server:call("get_version"))
      assert.are.equal(VERSION, server:storage().runtime_version)
      local info = H.json_call(server, "get_info")
      assert.are.same({ VERSION, VERSION, false, api }, { info.version, info.save_runtime_version, info.stale, info.api })
    end)

    it("a save made by another runtime version reads as stale, also after a configuration change", function()
      local server = H.game(api)
      server:rcon('local d = storage or global; d.runtime_version = "open_world-runtime-0.9.0"')
      local loaded = double.load(server:save(), { role = "server", configuration_changed = true })
      local info = H.json_call(loaded, "get_info")
      assert.is_true(info.stale)
      assert.are.equal("open_world-runtime-0.9.0", info.save_runtime_version)
      assert.are.equal(VERSION, info.version)
    end)
  end)
end
