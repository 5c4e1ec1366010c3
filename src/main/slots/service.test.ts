// The slot monitor and join test against stand-in Factorio servers that run our real scenario in
// Lua 5.2 behind a real RCON socket (factorio-host.fixture.ts), plus raw RCON servers for failure modes.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, type ConfigInput } from '../../shared/config';
import type { SlotsStatus } from '../../shared/slots';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { skipTitle, toolSkipReason } from '../../../scripts/system-deps.mjs';
import { FactorioHost } from './factorio-host.fixture';
import { slotOps } from './ops-impl';
import { EXPECTED_REGISTRATIONS, PROBE_COMMAND, parseProbe, readScenarioVersion } from './probe';
import { RconTestServer } from './rcon-server.fixture';
import { SlotsService } from './service';

const SCENARIO = resolve(import.meta.dirname, '../../../scenario/open_world');
const VERSION = readScenarioVersion(SCENARIO);
const noLua = toolSkipReason('lua5.2');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function host(opts: Partial<ConstructorParameters<typeof FactorioHost>[0]> = {}) {
  const h = new FactorioHost({ password: 'pw', players: ['alice', 'bob'], ...opts });
  await h.start();
  cleanup.push(() => h.stop());
  return h;
}

function service(slots: ConfigInput['slots'], extra: { joinTest?: ConfigInput['joinTest'] } = {}) {
  const config = ConfigSchema.parse({ slots, joinTest: extra.joinTest });
  const pushes: SlotsStatus[] = [];
  const secrets = new SecretStore({}, tmpdir());
  const svc = new SlotsService({
    slots: config.slots,
    joinTest: config.joinTest,
    dataDir: mkdtempSync(join(tmpdir(), 'cr-slots-')),
    scenarioDir: SCENARIO,
    secret: (ref, path) => secrets.resolve(ref, path),
    ops: slotOps(secrets, silentLogger()),
    logger: silentLogger(),
    statusChanged() {},
    push: (name, p) => name === 'slots' && pushes.push(p as SlotsStatus),
    rconTimeoutMs: 1000,
    maxBackoffMs: 2000,
  });
  cleanup.push(() => svc.stop());
  return { svc, pushes, slot: (id: string) => svc.snapshot().slots.find((s) => s.id === id)! };
}

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 20_000, interval: 25 });

describe.skipIf(noLua)(skipTitle('slot monitor on a server running our scenario', noLua), () => {
  it('reports tick, players, versions, queue, RTT and a matching registration set', async () => {
    const h = await host();
    const { svc, slot, pushes } = service([{ id: 'a', rconPort: h.rcon.port, rconPassword: 'pw', pollSeconds: 1 }]);
    await svc.start();
    await waitFor(() => expect(slot('a').state).toBe('reachable'));
    const s = slot('a');
    expect(s).toMatchObject({
      players: ['alice', 'bob'],
      version: VERSION,
      saveVersion: VERSION,
      expectedVersion: VERSION,
      queueLength: 0,
      registrationsMatch: true,
    });
    expect(s.rttMs).toBeGreaterThan(0);
    const tick = s.tick!;
    // Polled again on its chained timer: the game has moved on.
    await waitFor(() => expect(slot('a').tick).toBeGreaterThan(tick));
    expect(pushes.at(-1)!.slots[0].state).toBe('reachable');
    // Factorio uses id 0 for chat and log lines: every request of ours has an id above it.
    expect(Math.min(...h.rcon.ids)).toBeGreaterThan(0);
  });

  it('the scenario registers exactly the expected static set (checked against the real control.lua)', async () => {
    const h = await host({ api: '1.1' });
    const r = parseProbe(await h.execute(PROBE_COMMAND));
    expect(r.registrations).toEqual(EXPECTED_REGISTRATIONS);
  });

  it('a handler registered at run time over RCON is seen as a registration mismatch', async () => {
    const h = await host();
    const { svc, slot } = service([{ id: 'a', rconPort: h.rcon.port, rconPassword: 'pw' }]);
    await svc.start();
    await waitFor(() => expect(slot('a').registrationsMatch).toBe(true));
    await h.execute('/sc script.on_event(defines.events.on_built_entity, function() end)');
    await svc.pollNow('a');
    expect(slot('a')).toMatchObject({
      registrationsMatch: false,
      registrationsDiff: { extra: ['on_built_entity'], missing: [] },
    });
    expect(slot('a').message).toMatch(/registered dynamically \(\+on_built_entity\)/);
  });

  it('a stale save is reported: the save runtime differs from version.lua', async () => {
    const h = await host({ staleSave: 'open_world-runtime-0.9.0' });
    const { svc, slot } = service([{ id: 'a', rconPort: h.rcon.port, rconPassword: 'pw' }]);
    await svc.start();
    await waitFor(() => expect(slot('a').saveVersion).toBe('open_world-runtime-0.9.0'));
    expect(slot('a').message).toMatch(/not joinable until the save is rotated/);
  });
});

describe('slot monitor failure modes', () => {
  it('a wrong password is auth_failed; a closed port is offline, retried with backoff; neither delays a healthy slot', async () => {
    const good = new RconTestServer({
      password: 'pw',
      handler: () =>
        JSON.stringify({
          tick: 7,
          players: {},
          info: JSON.stringify({ version: 'v', save_runtime_version: 'v', queue_length: 0 }),
        }),
    });
    await good.start();
    cleanup.push(() => good.stop());
    const slow = new RconTestServer({ password: 'pw', handler: () => '{}' });
    slow.delayMs = 60_000;
    await slow.start();
    cleanup.push(() => slow.stop());
    const plain = new RconTestServer({ password: 'pw', handler: () => JSON.stringify({ tick: 3, players: {} }) });
    await plain.start();
    cleanup.push(() => plain.stop());
    const closed = new RconTestServer({ password: 'pw', handler: () => '' });
    const closedPort = await closed.start();
    await closed.stop();
    const { svc, slot } = service([
      { id: 'good', rconPort: good.port, rconPassword: 'pw', pollSeconds: 1 },
      { id: 'plain', rconPort: plain.port, rconPassword: 'pw', pollSeconds: 1 },
      { id: 'badpw', rconPort: good.port, rconPassword: 'nope', pollSeconds: 1 },
      { id: 'off', rconPort: closedPort, rconPassword: 'pw', pollSeconds: 1 },
      { id: 'slow', rconPort: slow.port, rconPassword: 'pw', pollSeconds: 1 },
    ]);
    await svc.start();
    await waitFor(() => expect(slot('badpw').state).toBe('auth_failed'));
    await waitFor(() => expect(slot('off').state).toBe('offline'));
    await waitFor(() =>
      expect(slot('good')).toMatchObject({ state: 'reachable', tick: 7, players: [], version: 'v', saveVersion: 'v' }),
    );
    expect(slot('good').message).toMatch(/runs scenario v, ours is open_world-runtime/);
    // RCON answers but our scenario does not: an error that says so.
    await waitFor(() => expect(slot('plain')).toMatchObject({ state: 'error', tick: 3 }));
    expect(slot('plain').message).toMatch(/RCON answers, but the open_world scenario does not \(no remote interface\)/);
    // The slow slot times out on its own while the others were answered meanwhile.
    await waitFor(() => expect(slot('slow').state).toBe('error'));
    expect(slot('slow').message).toMatch(/Timeout/);
    // Backoff: an unreachable slot's next check moves further out than its poll interval.
    await waitFor(() => expect(slot('off').nextCheck! - slot('off').lastCheck!).toBeGreaterThan(1500));
  });

  it('a dropped connection is reconnected on the next poll', async () => {
    let n = 0;
    const srv = new RconTestServer({ password: 'pw', handler: () => JSON.stringify({ tick: ++n, players: ['x'] }) });
    await srv.start();
    cleanup.push(() => srv.stop());
    const { svc, slot } = service([{ id: 'a', rconPort: srv.port, rconPassword: 'pw', pollSeconds: 1 }]);
    await svc.start();
    await waitFor(() => expect(slot('a').tick).toBe(1));
    srv.dropNext = 1;
    await svc.pollNow('a');
    expect(slot('a').state).toBe('error');
    await svc.pollNow('a');
    expect(slot('a')).toMatchObject({ players: ['x'] });
    expect(srv.authAttempts).toBe(2);
  });
});

describe.skipIf(noLua)(skipTitle('join test', noLua), () => {
  async function deployedSlot(opts: Partial<ConstructorParameters<typeof FactorioHost>[0]> = {}) {
    const h = await host(opts);
    const dir = join(mkdtempSync(join(tmpdir(), 'cr-slot-target-')), 'open_world');
    return { h, dir };
  }

  it('passes every step, with the client reaching the game', async () => {
    const { h, dir } = await deployedSlot();
    const { svc } = service([{ id: 'a', rconPort: h.rcon.port, rconPassword: 'pw', deploy: { kind: 'local', dir } }], {
      joinTest: { clientPath: h.clientExecutable(), timeoutSeconds: 30 },
    });
    await svc.start();
    expect((await svc.deploy('a')).ok).toBe(true);
    const run = await svc.joinTest('a');
    expect(run.steps.map((s) => s.state)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    expect(run.ok).toBe(true);
    expect(run.steps[5].detail).toMatch(/to\(InGame\)/);
    expect(svc.snapshot().slots[0].joinTests[0].id).toBe(run.id);
  });

  it('fails each step with its evidence: changed files, stale save, dynamic handler, client refused', async () => {
    const { h, dir } = await deployedSlot({ staleSave: 'open_world-runtime-0.9.0' });
    const { svc } = service([{ id: 'a', rconPort: h.rcon.port, rconPassword: 'pw', deploy: { kind: 'local', dir } }], {
      joinTest: { clientPath: h.clientExecutable(), timeoutSeconds: 30 },
    });
    await svc.start();
    cpSync(SCENARIO, dir, { recursive: true });
    writeFileSync(join(dir, 'control.lua'), '-- edited on the server\n');
    await h.execute('/sc script.on_event(defines.events.on_built_entity, function() end)');
    const run = await svc.joinTest('a');
    expect(run.steps.map((s) => s.state)).toEqual(['failed', 'passed', 'passed', 'failed', 'failed', 'failed']);
    expect(run.steps[0].detail).toMatch(/control\.lua/);
    expect(run.steps[3].detail).toMatch(/created with open_world-runtime-0\.9\.0/);
    expect(run.steps[4].detail).toMatch(/\[on_built_entity\]/);
    expect(run.steps[5].detail).toMatch(/script-event-mismatch/);
    expect(run.ok).toBe(false);
  });

  it('without a deploy target or a client, those steps are skipped, not failed; unreachable fails the RCON steps', async () => {
    const closed = new RconTestServer({ password: 'pw', handler: () => '' });
    const port = await closed.start();
    await closed.stop();
    const { svc } = service([{ id: 'a', rconPort: port, rconPassword: 'pw' }]);
    await svc.start();
    const run = await svc.joinTest('a');
    expect(run.steps.map((s) => s.state)).toEqual(['skipped', 'failed', 'not_run', 'not_run', 'not_run', 'skipped']);
    expect(run.steps[1].detail).toMatch(/no RCON answer/);
  });
});
