-- The command queue: JSON commands in, run in order from on_tick with a per-tick budget, the same
-- on every peer, and kept in the save.
local H = require("helpers")
local double = H.double

local function log_command(i)
  return '{"type":"log","message":"m' .. i .. '"}'
end

for _, api in ipairs(H.APIS) do
  describe("Factorio " .. api .. " command queue", function()
    it("accepts a command, runs it on the next tick and keeps its result", function()
      local server = H.game(api)
      assert.are.equal('{"id":1,"ok":true}', server:call("enqueue_json", log_command(1)))
      assert.are.equal(1, server:call("get_queue_length"))
      server:run(1)
      assert.are.equal(0, server:call("get_queue_length"))
      local lines = double.lines(server)
      assert.are.same({ type = "log", tick = 1, message = "m1" }, lines[2].value)
      assert.are.same({ type = "command_result", id = 1, command = "log", tick = 1, ok = true }, lines[3].value)
      assert.are.equal('{"id":1,"ok":true,"result":{"ok":true}}', server:call("get_result", 1))
    end)

    it("refuses bad commands when they are sent, leaving the queue unchanged", function()
      local server = H.game(api)
      for _, bad in ipairs({ "{not json", '"just a string"', '{"message":"no type"}', '{"type":"format_disk"}' }) do
        local reply = H.json_call(server, "enqueue_json", bad)
        assert.is_false(reply.ok)
        assert.is_string(reply.error)
      end
      assert.are.equal(0, server:call("get_queue_length"))
    end)

    it("runs commands in arrival order, at most 20 a tick", function()
      local server = H.game(api)
      for i = 1, 45 do server:call("enqueue_json", log_command(i)) end
      server:run(1)
      assert.are.equal(25, server:call("get_queue_length"))
      server:run(1)
      assert.are.equal(5, server:call("get_queue_length"))
      server:run(1)
      assert.are.equal(0, server:call("get_queue_length"))
      local messages = {}
      for _, l in ipairs(H.of_type(double.lines(server), "log")) do messages[#messages + 1] = l.value.message end
      for i = 1, 45 do assert.are.equal("m" .. i, messages[i]) end
      local logs = H.of_type(double.lines(server), "log")
      assert.are.same({ 1, 2, 3 }, { logs[20].value.tick, logs[21].value.tick, logs[45].value.tick })
    end)

    it("is deterministic: two servers given the same commands end in the same state with the same output", function()
      local function play()
        local server = H.game(api)
        server:call("enqueue_json", '{"type":"install_tool","name":"counter","source":' .. require("dkjson").encode(H.COUNTER_TOOL) .. '}')
        for i = 1, 30 do server:call("enqueue_json", log_command(i)) end
        server:call("enqueue_json", '{"type":"call_tool","name":"counter","function":"add","args":{"n":5}}')
        server:call("enqueue_json", '{"type":"call_tool","name":"counter","function":"nope"}')
        server:run(400, H.factory)
        return server
      end
      local a, b = play(), play()
      assert.are.equal(a:checksum(), b:checksum())
      assert.are.equal(a.files["events.pipe"], b.files["events.pipe"])
      local results = H.of_type(double.lines(a), "command_result")
      assert.are.equal(33, #results)
      assert.are.equal(5, results[32].value.result)
      assert.is_false(results[33].value.ok)
    end)

    it("commands still queued in a save run the same on a joining client", function()
      local server = H.game(api)
      for i = 1, 50 do server:call("enqueue_json", log_command(i)) end
      server:run(1)
      local client = double.join(server)
      assert.are.equal(30, client:call("get_queue_length"))
      double.run_all({ server, client }, 2)
      assert.are.equal(0, client:call("get_queue_length"))
      assert.is_nil(double.desync({ server, client }))
      assert.are.equal(50, #H.of_type(double.lines(server), "log"))
      assert.are.same({}, client.files)
      local restarted = double.load(server:save(), { role = "server" })
      assert.are.equal(0, restarted:call("get_queue_length"))
    end)

    it("refuses commands past its limit", function()
      local server = H.game(api)
      for i = 1, 1000 do server:call("enqueue_json", log_command(i)) end
      local reply = H.json_call(server, "enqueue_json", log_command(1001))
      assert.is_false(reply.ok)
      assert.matches("queue full", reply.error, 1, true)
    end)

    it("keeps every remote reply under 4 KB", function()
      local server = H.game(api)
      for i = 1, 200 do server:call("install_tool", "tool_with_a_long_name_" .. i, "return {}") end
      local info, text = H.json_call(server, "get_info")
      assert.is_true(#text < 4096)
      assert.are.same({ 200, true }, { info.tool_count, info.tools_omitted })
      assert.matches("too large", server:call("list_tools"), 1, true)
      server:call("install_tool", "big", "return { big = function() return string.rep('x', 10000) end }")
      local reply = server:call("call_tool", "big", "big")
      assert.is_true(#reply < 4096)
      assert.matches("too large", reply, 1, true)
      for _, fn in ipairs({ "get_registrations", "get_version", "list_tools", "get_result" }) do
        assert.is_true(#tostring(server:call(fn, 1)) < 4096)
      end
    end)
  end)
end
