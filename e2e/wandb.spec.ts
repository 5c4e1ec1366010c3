import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WandbTestServer } from '../src/main/wandb/server.fixture';
import { expect, test as base } from './fixtures';
import { root, run, waitForLine } from './harness';

const test = base.extend<{ wandbServer: WandbTestServer }>({
  // eslint-disable-next-line no-empty-pattern
  wandbServer: async ({}, use) => {
    const server = new WandbTestServer();
    await server.start();
    await use(server);
    await server.stop();
  },
  appConfig: async ({ wandbServer }, use) => {
    await use({ wandb: { enabled: true, baseUrl: wandbServer.url, apiKey: 'test-key', flushSeconds: 0.2 } });
  },
});

test.describe('W&B sessions', () => {
  test('the demo feed becomes a W&B run whose step advances in the Sessions view', async ({ ui, wandbServer }) => {
    await ui.getByTestId('nav-sessions').click();
    await expect(ui.getByTestId('wandb-mode')).toHaveText('Online');
    await expect(ui.getByTestId('wandb-active-state')).toHaveAttribute('data-state', 'active', { timeout: 15_000 });
    await expect(async () =>
      expect(Number(await ui.getByTestId('wandb-active-step').textContent())).toBeGreaterThanOrEqual(2),
    ).toPass({ timeout: 15_000 });
    const step = Number(await ui.getByTestId('wandb-active-step').textContent());
    await expect(async () =>
      expect(Number(await ui.getByTestId('wandb-active-step').textContent())).toBeGreaterThan(step),
    ).toPass({ timeout: 15_000 });
    const name = (await ui.getByTestId('wandb-active-name').textContent())!;
    const runId = /\(([0-9a-z]{8})\)/.exec(name)![1];
    await expect(async () => expect(wandbServer.run(runId)?.history.length).toBeGreaterThanOrEqual(step)).toPass({
      timeout: 15_000,
    });
    await expect(ui.getByTestId('wandb-run-link').first()).toHaveAttribute(
      'href',
      `${wandbServer.url}/factorio-team/factorio-experiments/runs/${runId}`,
    );
    await expect(ui.getByTestId('wandb-active-pending')).toHaveText(/^\d+$/);
  });

  test('killed mid-run, the app resumes the run on restart and completes it', async ({ wandbServer }, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'process-level check, run once in the web project');
    const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-wandb-'));
    const pipePath = join(dir, 'events.pipe');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        web: { port: 0 },
        pipe: { path: pipePath },
        wandb: { enabled: true, baseUrl: wandbServer.url, apiKey: 'test-key', flushSeconds: 0.1 },
      }),
    );
    const env = { HOME: dir, CONTROL_ROOM_HOME: dir };
    const apps: ReturnType<typeof run>[] = [];
    const start = async () => {
      const r = run([join(root, 'out/main/headless.js'), '--config', config, '--data-dir', join(dir, 'data')], env);
      apps.push(r);
      await waitForLine(r, /Control Room UI: (\S+)/);
      return r;
    };
    const line = (c: number) =>
      JSON.stringify({
        type: 'stats',
        session_id: 'crash',
        cycle: c,
        tick: c * 120,
        products_production: { 'iron-plate': c },
        materials_consumption: {},
      });
    const write = async (lines: string[]) => {
      const w = run([
        '-e',
        `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(pipePath)}, l+'\\n')`,
      ]);
      expect(await w.exited).toBe(0);
    };
    try {
      const first = await start();
      await write([
        JSON.stringify({ type: 'session_init', session_id: 'crash', tick: 0, level_name: 'open_world' }),
        line(1),
        line(2),
      ]);
      await expect(async () => expect([...wandbServer.runs.values()][0]?.history.length).toBe(2)).toPass({
        timeout: 15_000,
      });
      // W&B goes down; more lines are journaled but not delivered; then the app is killed outright.
      wandbServer.faults = Array.from({ length: 10_000 }, () => ({ status: 503 }));
      await write([line(3), line(4), line(5)]);
      // Killed once the three lines are in the journal (written before any attempt to send them).
      const journal = join(dir, 'data', 'wandb', 'runs', [...wandbServer.runs.values()][0].runId, 'history.jsonl');
      await expect
        .poll(() => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0), {
          timeout: 15_000,
        })
        .toBe(5);
      first.proc.kill('SIGKILL');
      await first.exited;
      const stored = [...wandbServer.runs.values()][0];
      expect(stored.history).toHaveLength(2);
      expect(stored.complete).toBe(false);

      wandbServer.faults = [];
      const second = await start();
      await write([line(6)]);
      await expect(async () =>
        expect(stored.history.map((l) => JSON.parse(l)._step)).toEqual([1, 2, 3, 4, 5, 6]),
      ).toPass({ timeout: 15_000 });
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(stored.complete).toBe(true);
      expect(wandbServer.runs.size).toBe(1);
    } finally {
      for (const a of apps) if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
      await Promise.all(apps.map((a) => a.exited));
    }
  });
  // eslint-disable-next-line no-empty-pattern
  test('a pause longer than the heartbeat window: the run stays alive, then finishes with every line once at step = cycle', async ({}, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'process-level check, run once in the web project');
    // W&B marks a run crashed after 1.5 s without a request here; the app's heartbeat is 0.3 s.
    const server = new WandbTestServer({ crashAfterMs: 1500 });
    await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-wandb-hb-'));
    const pipePath = join(dir, 'events.pipe');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        web: { port: 0 },
        pipe: { path: pipePath },
        wandb: { enabled: true, baseUrl: server.url, apiKey: 'test-key', flushSeconds: 0.1, heartbeatSeconds: 0.3 },
      }),
    );
    const app = run([join(root, 'out/main/headless.js'), '--config', config, '--data-dir', join(dir, 'data')], {
      HOME: dir,
      CONTROL_ROOM_HOME: dir,
    });
    try {
      await waitForLine(app, /Control Room UI: (\S+)/);
      // One stats line per second of game time (60 ticks).
      const line = (c: number) =>
        JSON.stringify({
          type: 'stats',
          session_id: 'paused',
          cycle: c,
          tick: c * 60,
          products_production: { 'iron-plate': c },
          materials_consumption: { 'iron-ore': c },
        });
      const write = async (lines: string[]) => {
        const w = run([
          '-e',
          `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(pipePath)}, l+'\\n')`,
        ]);
        expect(await w.exited).toBe(0);
      };
      await write([
        JSON.stringify({ type: 'session_init', session_id: 'paused', tick: 0, level_name: 'open_world' }),
        ...Array.from({ length: 10 }, (_, i) => line(i + 1)),
      ]);
      await expect(async () => expect([...server.runs.values()][0]?.history.length).toBe(10)).toPass({
        timeout: 15_000,
      });
      const stored = [...server.runs.values()][0];
      // The game pauses: no stats. Six more heartbeats 0.3 s apart outlast the 1.5 s crash window.
      const beats = stored.heartbeats;
      await expect(async () => expect(stored.heartbeats).toBeGreaterThanOrEqual(beats + 6)).toPass({ timeout: 15_000 });
      expect(stored.crashed).toBe(false);
      await write(Array.from({ length: 10 }, (_, i) => line(i + 11)));
      await expect(async () => expect(stored.history.length).toBe(20)).toPass({ timeout: 15_000 });
      app.proc.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      expect(stored.complete).toBe(true);
      expect(stored.crashed).toBe(false);
      expect(stored.history.map((l) => JSON.parse(l)._step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(stored.writes).toEqual(Array.from({ length: 20 }, () => 1));
      expect(server.runs.size).toBe(1);
    } finally {
      if (app.proc.exitCode === null && app.proc.signalCode === null) app.proc.kill('SIGKILL');
      await app.exited;
      await server.stop();
    }
  });
});

const rewindTest = test.extend<{ pipePath: string }>({
  // eslint-disable-next-line no-empty-pattern
  pipePath: async ({}, use) => {
    await use(join(mkdtempSync(join(tmpdir(), 'cr-e2e-rewind-')), 'events.pipe'));
  },
  appConfig: async ({ wandbServer, pipePath }, use) => {
    await use({
      pipe: { path: pipePath },
      wandb: { enabled: true, baseUrl: wandbServer.url, apiKey: 'test-key', flushSeconds: 0.2 },
    });
  },
});

rewindTest(
  'an earlier save loaded: the event file becomes two W&B runs holding every line, the new one marked as branched',
  async ({ ui, wandbServer, pipePath }) => {
    const stats = (c: number, plates: number) => ({
      type: 'stats',
      session_id: 'reload',
      cycle: c,
      tick: c * 120,
      products_production: { 'iron-plate': plates },
      materials_consumption: { 'iron-ore': c },
    });
    const write = (events: object[]) => appendFileSync(pipePath, events.map((e) => JSON.stringify(e) + '\n').join(''));
    const before = [1, 2, 3, 4, 5, 6, 7, 8].map((c) => stats(c, c * 10));
    write([{ type: 'session_init', session_id: 'reload', tick: 0, level_name: 'open_world' }, ...before]);
    await expect.poll(() => [...wandbServer.runs.values()][0]?.history.length, { timeout: 15_000 }).toBe(8);
    // The autosave from cycle 3 is loaded: the game announces it, then plays on differently.
    const after = [4, 5, 6].map((c) => stats(c, c * 10 + 1));
    write([
      { type: 'session_init', session_id: 'reload', tick: 360, level_name: 'open_world', resumed: true, cycle: 3 },
      ...after,
    ]);
    await expect.poll(() => [...wandbServer.runs.values()][1]?.history.length, { timeout: 15_000 }).toBe(3);
    const [first, second] = [...wandbServer.runs.values()];
    const content = (line: string) => {
      const { _step, tick, ...rates } = JSON.parse(line) as Record<string, number>;
      return { cycle: _step, tick, plates: rates['production/iron-plate'] };
    };
    expect([...first.history, ...second.history].map(content)).toEqual(
      [...before, ...after].map((s) => ({ cycle: s.cycle, tick: s.tick, plates: s.products_production['iron-plate'] })),
    );
    expect(second.config).toMatchObject({
      branched_from_run: { value: first.runId },
      rewound_from_cycle: { value: 8 },
      loaded_cycle: { value: 3 },
    });
    expect(wandbServer.runs.size).toBe(2);

    await ui.getByTestId('nav-sessions').click();
    await expect(ui.getByTestId('wandb-run-row')).toHaveCount(2);
    await expect(ui.getByTestId('wandb-run-branch')).toHaveText(`branched from ${first.displayName}`);
    await expect(ui.getByTestId('wandb-active-name')).toContainText(second.runId);
  },
);
