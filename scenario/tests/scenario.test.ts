// The scenario's Lua tests (busted on Lua 5.2) and luacheck, run from vitest so `npm test` counts
// them: one vitest test per busted test, named as busted names it, failing with busted's message.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipTitle, TOOLS, toolSkipReason } from '../../scripts/system-deps.mjs';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const tools = Object.fromEntries(['lua5.2', 'busted', 'luacheck'].map((id) => [id, TOOLS.find((t) => t.id === id)!]));
const bin = { 'lua5.2': tools['lua5.2'].find(), busted: tools.busted.find(), luacheck: tools.luacheck.find() };
// Skips (with the reason) under --skip-missing; otherwise fails this file, naming what to install.
const MISSING_LUA = toolSkipReason('lua5.2') ?? toolSkipReason('busted') ?? toolSkipReason('luacheck');

interface BustedCase {
  name: string;
  message?: unknown;
  trace?: { traceback?: string; short_src?: string; currentline?: number };
}
interface BustedReport {
  successes: BustedCase[];
  failures: BustedCase[];
  errors: BustedCase[];
  pendings: BustedCase[];
}

// Runs once while vitest collects this file, so each busted test can become a vitest test.
function runBusted(): { report: BustedReport } | { problem: string } {
  if (MISSING_LUA) return { problem: MISSING_LUA };
  // busted's launcher runs whatever `lua` is; naming lua5.2 pins the version the game uses.
  const r = spawnSync(bin['lua5.2']!, [bin.busted!, '-o', 'json'], { cwd: scenarioDir, encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { problem: `busted did not run: ${r.error.message}` };
  const start = r.stdout.indexOf('{');
  try {
    return { report: JSON.parse(r.stdout.slice(start)) as BustedReport };
  } catch {
    return { problem: `busted printed no JSON report (exit ${r.status}):\n${r.stdout}\n${r.stderr}` };
  }
}

function describeFailure(c: BustedCase): string {
  const message = typeof c.message === 'string' ? c.message : JSON.stringify(c.message);
  const where = c.trace?.short_src ? `${c.trace.short_src}:${c.trace.currentline}` : '';
  return `${message}\n${where}${c.trace?.traceback ?? ''}`;
}

const busted = runBusted();

describe('scenario Lua tests (busted, Lua 5.2)', () => {
  if (MISSING_LUA) {
    it.skip(`busted tests: ${MISSING_LUA}`, () => {});
    return;
  }
  if ('problem' in busted) {
    it('runs busted', () => {
      throw new Error(busted.problem);
    });
    return;
  }
  const { successes, failures, errors, pendings } = busted.report;
  if (successes.length + failures.length + errors.length === 0) {
    it('finds busted tests', () => {
      throw new Error(`busted ran no tests in ${scenarioDir}/tests`);
    });
  }
  const names = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; names.has(n); i++) n = `${name} (${i})`;
    names.add(n);
    return n;
  };
  for (const c of errors) {
    it(unique(`error: ${c.name}`), () => {
      throw new Error(describeFailure(c));
    });
  }
  for (const c of failures) {
    it(unique(c.name), () => {
      throw new Error(describeFailure(c));
    });
  }
  for (const c of successes) it(unique(c.name), () => {});
  for (const c of pendings) it.skip(skipTitle(unique(c.name), 'pending in busted'), () => {});
});

describe('scenario lint (luacheck)', () => {
  it.skipIf(MISSING_LUA)(skipTitle('finds no warnings in the scenario, its tests or the mod', MISSING_LUA), () => {
    const r = spawnSync(bin.luacheck!, ['--no-color', '--codes', '.', '../mod'], { cwd: scenarioDir, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`luacheck failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    expect(r.stdout).toMatch(/0 warnings \/ 0 errors/);
  });
});
