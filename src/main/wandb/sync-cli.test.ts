// `npm run wandb-sync` as a new user runs it: a journal refused with a wrong key, then the command
// with the right key. The command is run as its own process, against the local W&B server.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { init, makeService, stats, stepsOf, stopAllServices } from './harness.fixture';
import { WandbTestServer } from './server.fixture';

let server: WandbTestServer;
const children: ReturnType<typeof spawn>[] = [];
beforeEach(async () => {
  server = new WandbTestServer();
  await server.start();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await stopAllServices();
  await server.stop();
});

function syncCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'cr-wandb-cli-'));
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, 'sync-cli.ts'), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, CONTROL_ROOM_HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

it('wandb-sync clears a stored refusal like the in-app Sync: a run refused with a wrong key is delivered with the right one', async () => {
  const { svc, events, dataDir } = makeService(server, { apiKey: 'wrong-key' });
  await svc.start();
  events.push(init('refused'));
  for (let c = 1; c <= 3; c++) events.push(stats('refused', c));
  const runId = svc.snapshot().active!.runId;
  await vi.waitFor(() => expect(svc.snapshot().active!.state).toBe('failed'), { timeout: 10_000, interval: 20 });
  await svc.stop();
  expect(server.run(runId)).toBeUndefined();

  const config = join(mkdtempSync(join(tmpdir(), 'cr-wandb-cli-config-')), 'config.json');
  writeFileSync(config, JSON.stringify({ wandb: { enabled: true, baseUrl: server.url } }));
  const { code, out } = await syncCli(['--data-dir', dataDir, '--config', config, '--timeout', '30'], {
    WANDB_API_KEY: 'test-key',
  });
  expect(out).toContain(`${runId}  refused_`);
  expect(out).toContain('finished  3/3 lines');
  expect(out).toContain('1 of 1 runs are complete in W&B');
  expect(out).not.toContain('test-key');
  expect(code).toBe(0);
  expect(stepsOf(server, runId)).toEqual([1, 2, 3]);
  expect(server.run(runId)!.complete).toBe(true);
});
