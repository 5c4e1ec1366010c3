-- The double's own checks can fail: a scenario that breaks the on_load rules is caught.
local double = require("factorio_double")

local function with_scenario(source, fn)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  local f = assert(io.open(dir .. "/control.lua", "w"))
  f:write(source)
  f:close()
  local saved = double.SCENARIO_DIR
  double.SCENARIO_DIR = dir .. "/"
  local ok, err = pcall(fn)
  double.SCENARIO_DIR = saved
  os.remove(dir .. "/control.lua")
  os.remove(dir)
  assert(ok, err)
end

describe("the Factorio double", function()
  it("refuses an on_load that changes storage", function()
    with_scenario([[
      script.on_init(function() storage.n = 1 end)
      script.on_load(function() storage.n = storage.n + 1 end)
    ]], function()
      local server = double.new_game({ api = "2.0" })
      local ok, err = pcall(double.join, server)
      assert.is_false(ok)
      assert.matches("modified during on_load", err, 1, true)
    end)
  end)

  it("refuses file writes and game access in on_load", function()
    with_scenario([[
      script.on_init(function() end)
      script.on_load(function() helpers.write_file("x", "y", true, 0) end)
    ]], function()
      local ok, err = pcall(double.join, double.new_game({ api = "2.0" }))
      assert.is_false(ok)
      assert.matches("write_file cannot be used during load", err, 1, true)
    end)
    with_scenario([[
      script.on_init(function() end)
      script.on_load(function() return game.tick end)
    ]], function()
      assert.is_false(pcall(double.join, double.new_game({ api = "1.1" })))
    end)
  end)

  it("has the API of the version it plays, and nothing of the other", function()
    local new = double.new_game({ api = "2.0" })
    assert.has_error(function() return new.game.forces.player.item_production_statistics end)
    assert.has_error(function() return new.game.write_file end)
    assert.is_nil(new.env.global)
    local old = double.new_game({ api = "1.1" })
    assert.has_error(function() return old.game.forces.player.get_item_production_statistics end)
    assert.is_nil(old.env.helpers)
    assert.is_nil(old.env.storage)
  end)
end)
