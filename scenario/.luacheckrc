-- luacheck config for the scenario (Factorio's Lua 5.2 globals) and its tests (busted).
std = "lua52"
max_line_length = 150

stds.factorio = {
  -- storage (2.0) / global (1.1): the persistent table; fields are written, so not read-only.
  globals = { "storage", "global" },
  read_globals = {
    "script", "game", "remote", "defines", "helpers", "rcon", "log", "commands", "settings",
    "serpent", "table_size", "rendering", "prototypes", "localised_print",
  },
}

files["open_world/"] = { std = "lua52+factorio" }
files["tests/"] = { std = "lua52+busted" }
files["../mod/"] = { std = "lua52+factorio" }
