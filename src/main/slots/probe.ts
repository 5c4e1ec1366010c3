// What one status poll asks a slot, in a single `/sc` command whose reply stays far below the ~4 KB
// where Factorio's RCON resets connections: the tick, the players online, and the open_world
// scenario's own report (runtime version, the version its save was created with, queue length)
// and its live event registrations. Works on Factorio 1.1 (`game.table_to_json`) and 2.0 (`helpers`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registrations } from '../../shared/slots';

/**
 * The scenario's static registrations (scenario/open_world/control.lua registers exactly these
 * when it loads, and nothing else may). A test runs the real scenario and checks this list.
 */
export const EXPECTED_REGISTRATIONS: Registrations = {
  events: ['on_player_joined_game', 'on_script_path_request_finished', 'on_tick'],
  nth_ticks: [5, 15, 120],
};

export const PROBE_COMMAND =
  '/sc local h = helpers or game; local names = {}; for _, p in pairs(game.connected_players) do names[#names + 1] = p.name end; ' +
  'local ok, info = pcall(remote.call, "open_world", "get_info"); local ok2, regs = pcall(remote.call, "open_world", "get_registrations"); ' +
  'rcon.print(h.table_to_json({ tick = game.tick, players = names, info = ok and info or nil, registrations = ok2 and regs or nil, error = (not ok) and tostring(info) or nil }))';

export interface ProbeResult {
  tick: number;
  players: string[];
  /** null when the open_world interface is missing (not our scenario, or an old save). */
  scenario: { version: string | null; saveVersion: string | null; queueLength: number | null } | null;
  scenarioError: string | null;
  registrations: Registrations | null;
}

/** Factorio warns (and does not run the command) on the first /sc of a save with achievements on. */
export function isAchievementWarning(reply: string): boolean {
  return /achievements/i.test(reply) && !reply.trimStart().startsWith('{');
}

/** Parses the probe's reply; throws with the reply's start when it is not what the probe prints. */
export function parseProbe(reply: string): ProbeResult {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(reply) as Record<string, unknown>;
  } catch {
    throw new Error(`unexpected reply to the status command: ${reply.slice(0, 200) || '(empty)'}`);
  }
  // table_to_json writes an empty Lua table as {}, so an empty player list may arrive as an object.
  const players = Array.isArray(raw.players) ? raw.players.map(String) : [];
  const info = typeof raw.info === 'string' ? (JSON.parse(raw.info) as Record<string, unknown>) : null;
  const regs =
    typeof raw.registrations === 'string'
      ? (JSON.parse(raw.registrations) as { events?: unknown; nth_ticks?: unknown })
      : null;
  return {
    tick: Number(raw.tick),
    players,
    scenario: info
      ? {
          version: typeof info.version === 'string' ? info.version : null,
          saveVersion: typeof info.save_runtime_version === 'string' ? info.save_runtime_version : null,
          queueLength: typeof info.queue_length === 'number' ? info.queue_length : null,
        }
      : null,
    scenarioError: typeof raw.error === 'string' ? raw.error : null,
    registrations: regs
      ? {
          events: Array.isArray(regs.events) ? regs.events.map(String) : [],
          nth_ticks: Array.isArray(regs.nth_ticks) ? regs.nth_ticks.map(Number) : [],
        }
      : null,
  };
}

/** What the live set has beyond the expected one, and what it lacks (nth-ticks as `nth:N`). */
export function diffRegistrations(
  live: Registrations,
  expected: Registrations = EXPECTED_REGISTRATIONS,
): { extra: string[]; missing: string[] } {
  const a = new Set([...live.events, ...live.nth_ticks.map((n) => `nth:${n}`)]);
  const b = new Set([...expected.events, ...expected.nth_ticks.map((n) => `nth:${n}`)]);
  return { extra: [...a].filter((x) => !b.has(x)).sort(), missing: [...b].filter((x) => !a.has(x)).sort() };
}

/** The runtime version the bundled scenario declares (`return "…"` in version.lua). */
export function readScenarioVersion(scenarioDir: string): string {
  const text = readFileSync(join(scenarioDir, 'version.lua'), 'utf8');
  const m = /^\s*return\s+"([^"]+)"/m.exec(text);
  if (!m) throw new Error(`${join(scenarioDir, 'version.lua')} does not return a version string`);
  return m[1];
}
