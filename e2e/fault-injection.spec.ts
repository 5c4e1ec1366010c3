// The fault-injection run: the built headless app fed by a game-like writer, its W&B and Discord
// peers failing 20% of requests with 5xx and dropping 5% of connections (seeded), the app killed
// with SIGKILL twice and restarted, and its logs rotated once while it was down. Every stats line
// must reach W&B exactly once at step = cycle, every chat line Discord at least once, in order.
// File mode is killed mid-write; FIFO mode only once it has read what was written (a FIFO loses
// what sits unread in it when its reader dies: README, Reliability).
import { copyFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordTestServer } from '../src/main/discord/server.fixture';
import { randomFaults, type InjectedFault } from '../src/main/fault-injection.fixture';
import { WandbTestServer } from '../src/main/wandb/server.fixture';
import { expect, test } from './fixtures';
import { root, run, waitForLine, type ChildRun } from './harness';

const SEED = Number(process.env.FAULT_SEED ?? 1414);

const statsLine = (c: number) =>
  JSON.stringify({
    type: 'stats',
    session_id: 'faults',
    cycle: c,
    tick: c * 120,
    products_production: { 'iron-plate': c },
    materials_consumption: { 'iron-ore': c },
  });
const chatLine = (c: number) => `2024-04-10 02:28:53 [CHAT] engineer: message number ${c}`;

/** A game-like writer: per cycle one stats line and one chat line, each opened, appended, closed. */
function game(pipePath: string, consoleLog: string, from: number, to: number, withInit = false): ChildRun {
  const stats = [
    ...(withInit
      ? [JSON.stringify({ type: 'session_init', session_id: 'faults', tick: 0, level_name: 'open_world' })]
      : []),
  ];
  const items = [];
  for (let c = from; c <= to; c++) items.push([statsLine(c), chatLine(c)]);
  const program = `const fs = require('fs'); const [pipe, log, init, items] = JSON.parse(process.argv[1]);
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (const l of init) fs.appendFileSync(pipe, l + '\\n');
    for (const [s, c] of items) { fs.appendFileSync(pipe, s + '\\n'); fs.appendFileSync(log, c + '\\n'); sleep(20); }`;
  return run(['-e', program, JSON.stringify([pipePath, consoleLog, stats, items])]);
}

async function startApp(config: string, dir: string): Promise<ChildRun & { origin: string }> {
  const r = run(
    [join(root, 'out/main/headless.js'), '--config', config, '--data-dir', join(dir, 'data'), '--no-demo'],
    { HOME: dir, CONTROL_ROOM_HOME: dir },
  );
  const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
  return { ...r, origin: new URL(url).origin };
}

async function accepted(origin: string): Promise<number> {
  const res = await fetch(`${origin}/health`);
  const body = (await res.json()) as { services: { pipe: { details?: { accepted?: number } } } };
  return body.services.pipe.details?.accepted ?? 0;
}

async function kill(app: ChildRun): Promise<void> {
  app.proc.kill('SIGKILL');
  await app.exited;
}

/** Message numbers Discord received, in arrival order (a batch re-sent after a dropped answer repeats). */
function discordNumbers(server: DiscordTestServer): number[] {
  return server.lines().map((l) => Number(/message number (\d+)/.exec(l)?.[1]));
}

/** At least once, in order: the first arrival of each number comes in increasing order and none is missing. */
function firstArrivals(ns: number[]): number[] {
  const seen = new Set<number>();
  return ns.filter((n) => !seen.has(n) && seen.add(n));
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

for (const mode of ['file', 'fifo'] as const) {
  // eslint-disable-next-line no-empty-pattern
  test(`fault injection, pipe in ${mode} mode: two SIGKILLs, a rotation while down, flaky peers`, async ({}, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'process-level run, once in the web project');
    test.setTimeout(240_000);
    const wandb = new WandbTestServer();
    const discord = new DiscordTestServer({ limit: 50, windowMs: 200 });
    await wandb.start();
    await discord.start();
    const apps: ChildRun[] = [];
    const writers: ChildRun[] = [];
    try {
      const injected = { wandb: 0, discord: 0 };
      const counted = (peer: keyof typeof injected, draw: () => InjectedFault | undefined) => () => {
        const f = draw();
        if (f) injected[peer]++;
        return f;
      };
      wandb.randomFault = counted('wandb', randomFaults({ seed: SEED, serverErrors: 0.2, drops: 0.05 }));
      discord.randomFault = counted('discord', randomFaults({ seed: SEED + 1, serverErrors: 0.2, drops: 0.05 }));
      const dir = mkdtempSync(join(tmpdir(), `cr-e2e-faults-${mode}-`));
      const pipePath = join(dir, 'events.pipe');
      const consoleLog = join(dir, 'console.log');
      writeFileSync(consoleLog, '');
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          web: { port: 0 },
          pipe: { path: pipePath, mode },
          wandb: { enabled: true, baseUrl: wandb.url, apiKey: 'test-key', flushSeconds: 0.1 },
          discord: { enabled: true, webhookUrl: discord.webhookUrl, consoleLogPath: consoleLog, startAt: 'start' },
        }),
      );
      const phase = async (from: number, to: number, withInit: boolean) => {
        const app = await startApp(config, dir);
        apps.push(app);
        const w = game(pipePath, consoleLog, from, to, withInit);
        writers.push(w);
        if (mode === 'file') {
          // Killed while the game is still writing.
          await expect.poll(() => accepted(app.origin), { timeout: 30_000 }).toBeGreaterThan(5);
        } else {
          // Killed once everything written was read (what a FIFO held unread would be lost).
          expect(await w.exited).toBe(0);
          await expect.poll(() => accepted(app.origin), { timeout: 30_000 }).toBe(to - from + 1 + (withInit ? 1 : 0));
        }
        return { app, w };
      };

      const a = await phase(1, 40, true);
      await kill(a.app);
      expect(await a.w.exited).toBe(0);

      const b = await phase(41, 80, false);
      await kill(b.app);
      expect(await b.w.exited).toBe(0);

      // Rotation while the app is down: the console log by copytruncate; in file mode the event
      // file by rename, with the game writing on into a new file at the path.
      copyFileSync(consoleLog, `${consoleLog}.1`);
      truncateSync(consoleLog, 0);
      if (mode === 'file') {
        renameSync(pipePath, `${pipePath}.1`);
        const w = game(pipePath, consoleLog, 81, 100);
        writers.push(w);
        expect(await w.exited).toBe(0);
      }

      const c = await startApp(config, dir);
      apps.push(c);
      const last = mode === 'file' ? 120 : 110;
      const w = game(pipePath, consoleLog, mode === 'file' ? 101 : 81, last);
      writers.push(w);
      expect(await w.exited).toBe(0);

      const run_ = () => [...wandb.runs.values()];
      await expect
        .poll(() => run_()[0]?.history.map((l) => JSON.parse(l)._step), { timeout: 120_000, intervals: [200] })
        .toEqual(range(1, last));
      expect(run_()).toHaveLength(1);
      await expect
        .poll(() => firstArrivals(discordNumbers(discord)), { timeout: 120_000, intervals: [200] })
        .toEqual(range(1, last));
      // Each re-send repeats a contiguous stretch already sent: what arrives never goes backwards
      // except to repeat, and never skips.
      const ns = discordNumbers(discord);
      for (let i = 1; i < ns.length; i++) expect(ns[i] <= ns[i - 1] + 1).toBe(true);
      console.log(
        `[faults ${mode}] seed ${SEED}: W&B ${injected.wandb} faults in ${wandb.requests} requests, Discord ${injected.discord} in ${discord.requests}; ${ns.length} Discord lines for ${last} chat lines`,
      );

      c.proc.kill('SIGTERM');
      expect(await c.exited).toBe(0);
    } finally {
      for (const r of [...apps, ...writers])
        if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
      await wandb.stop();
      await discord.stop();
    }
  });
}
