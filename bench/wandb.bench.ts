// W&B delivery under load: 100 stats lines/s (50 items produced, 50 consumed) for 60 s through the
// app in headless mode to a local server speaking W&B's protocol. Prints lines delivered, requests
// per minute (aggregation) and the app process's CPU time, beside the same run with W&B off
// (pipe, cache and UI pushes only) as the ceiling: the difference is what W&B costs.
// Then an offline backlog (20,000 lines of 200 items) synced under the 10 MiB request cap, beside
// bare POSTs of equally many, equally large bodies to the same server as the ceiling.
// BENCH_PART=stream or BENCH_PART=backlog runs one part only.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../src/shared/config';
import type { PipeEvent } from '../src/shared/events';
import { silentLogger } from '../src/main/log';
import { EventCache } from '../src/main/lib/cache';
import { fileStreamPayload, MAX_REQUEST_BYTES, WandbClient } from '../src/main/wandb/client';
import { WandbService } from '../src/main/wandb/service';
import { WandbTestServer } from '../src/main/wandb/server.fixture';

const RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const root = join(import.meta.dirname, '..');
// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ), 100 per second on Linux.
const TICKS_PER_S = 100;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

async function runOnce(wandb: boolean, server: WandbTestServer) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-bench-wandb-'));
  const pipePath = join(dir, 'events.pipe');
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      web: { port: 0 },
      pipe: { path: pipePath },
      wandb: { enabled: wandb, baseUrl: server.url, apiKey: 'test-key' },
    }),
  );
  const app = spawn(
    process.execPath,
    [
      join(root, 'out/main/headless.js'),
      '--config',
      join(dir, 'config.json'),
      '--data-dir',
      join(dir, 'data'),
      '--no-demo',
    ],
    {
      env: { ...process.env, HOME: dir, CONTROL_ROOM_HOME: dir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => {
    let out = '';
    app.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Control Room UI:')) resolve();
    });
  });
  const items = Array.from({ length: 50 }, (_, i) => `item-${i}`);
  const cpu0 = cpuSeconds(app.pid!);
  const requests0 = server.fileStreamRequests;
  appendFileSync(
    pipePath,
    JSON.stringify({
      type: 'session_init',
      session_id: wandb ? 'bench-on' : 'bench-off',
      tick: 0,
      level_name: 'bench',
    }) + '\n',
  );
  const t0 = performance.now();
  for (let c = 1; c <= RATE * SECONDS; c++) {
    const prod = Object.fromEntries(
      items.map((k, i) => [k, Math.round((100 + i + Math.sin(c / 10) * 20) * 100) / 100]),
    );
    appendFileSync(
      pipePath,
      JSON.stringify({
        type: 'stats',
        session_id: wandb ? 'bench-on' : 'bench-off',
        cycle: c,
        tick: c * 120,
        products_production: prod,
        materials_consumption: prod,
      }) + '\n',
    );
    const due = t0 + (c * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const cpuWhileStreaming = cpuSeconds(app.pid!) - cpu0;
  const elapsed = (performance.now() - t0) / 1000;
  app.kill('SIGTERM');
  await new Promise((r) => app.on('exit', r));
  return { cpuWhileStreaming, elapsed, requests: server.fileStreamRequests - requests0 };
}

async function streamPart(): Promise<void> {
  const server = new WandbTestServer();
  await server.start();
  const off = await runOnce(false, server);
  const on = await runOnce(true, server);
  const run = [...server.runs.values()].find((r) => r.displayName.startsWith('bench-on'))!;
  const steps = run.history.map((l) => JSON.parse(l)._step as number);
  const inOrder = steps.every((s, i) => s === i + 1);
  await server.stop();
  const lines = RATE * SECONDS;
  console.log(`W&B: ${RATE} stats lines/s (50 + 50 items) for ${SECONDS} s = ${lines} lines, flush every 5 s`);
  console.log(
    `  delivered ${steps.length} of ${lines} lines${inOrder ? ', in order, no duplicates' : ' (ORDER OR DUPLICATES WRONG)'}, run complete: ${run.complete}`,
  );
  console.log(
    `  file_stream requests: ${on.requests} (${((on.requests / on.elapsed) * 60).toFixed(1)}/min, ${(lines / Math.max(1, on.requests)).toFixed(0)} lines per request)`,
  );
  console.log(
    `  app CPU while streaming: ${on.cpuWhileStreaming.toFixed(2)} s with W&B, ceiling ${off.cpuWhileStreaming.toFixed(2)} s with W&B off (ratio ${(on.cpuWhileStreaming / off.cpuWhileStreaming).toFixed(2)}); ${((on.cpuWhileStreaming / on.elapsed) * 100).toFixed(1)}% of one core`,
  );
}

async function backlogPart(): Promise<void> {
  const LINES = 20_000;
  const server = new WandbTestServer({ maxRequestBytes: MAX_REQUEST_BYTES });
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'cr-bench-wandb-backlog-'));
  const events = new EventCache<PipeEvent>(16);
  const svc = new WandbService({
    config: { ...ConfigSchema.parse({}).wandb, enabled: true, baseUrl: server.url, mode: 'offline' },
    dataDir: dir,
    apiKey: 'test-key',
    events,
    logger: silentLogger(),
    statusChanged() {},
    push() {},
  });
  await svc.start();
  const names = (kind: string) =>
    Array.from({ length: 100 }, (_, i) => `${kind}-line-of-a-large-modded-factory-${i + 1}`);
  const prodNames = names('production');
  const consNames = names('consumption');
  let seq = 0;
  const push = (event: PipeEvent['event']) => events.push({ seq: ++seq, receivedAt: Date.now(), line: '', event });
  push({ type: 'session_init', session_id: 'backlog', tick: 0, level_name: 'bench' });
  for (let c = 1; c <= LINES; c++) {
    const rates = (n: string[]) => Object.fromEntries(n.map((k, i) => [k, Math.round((c + i) * 100) / 100]));
    push({
      type: 'stats',
      session_id: 'backlog',
      cycle: c,
      tick: c * 120,
      products_production: rates(prodNames),
      materials_consumption: rates(consNames),
    });
  }
  push({ type: 'session_init', session_id: 'after', tick: 0, level_name: 'bench' });
  const t0 = performance.now();
  await svc.sync();
  const appSeconds = (performance.now() - t0) / 1000;
  await svc.stop();
  const run = [...server.runs.values()].find((r) => r.displayName.startsWith('backlog_'))!;
  const bodies = server.fileStreamBytes.slice();
  const bytes = bodies.reduce((a, b) => a + b, 0);
  const inOrder =
    run.history.length === LINES && run.history.every((l, i) => (JSON.parse(l) as { _step: number })._step === i + 1);

  // Ceiling: the same number of bodies of the same sizes, built beforehand, POSTed one after another.
  const client = new WandbClient(server.url, 'test-key');
  const ref = await client.upsertRun({ runId: 'bare', project: 'bench', entity: '', displayName: 'bare', config: {} });
  const sample = run.history[0];
  const prepared = bodies.map((size) => {
    const lines = Array.from(
      { length: Math.max(1, Math.floor(size / (Buffer.byteLength(JSON.stringify(sample)) + 1)) - 1) },
      () => sample,
    );
    // Every body rewrites lines from offset 0: the server stores as much per request as for the app.
    return JSON.stringify(fileStreamPayload({ history: { offset: 0, lines } }));
  });
  const url = `${server.url}/files/${ref.entity}/${ref.project}/${ref.runId}/file_stream`;
  const auth = `Basic ${Buffer.from('api:test-key').toString('base64')}`;
  const t1 = performance.now();
  let resets = 0;
  for (const body of prepared) {
    // A kept-alive socket the server closed meanwhile resets once; the app's client retries that too.
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
          body,
        });
        await res.text();
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
        resets++;
      }
    }
  }
  const bareSeconds = (performance.now() - t1) / 1000;
  const bareBytes = prepared.reduce((a, b) => a + Buffer.byteLength(b), 0);
  await server.stop();
  const mb = (n: number) => n / 1e6;
  console.log(
    `W&B backlog: ${LINES} lines of 200 items (${Buffer.byteLength(sample)} bytes each) journaled offline, then Sync`,
  );
  console.log(
    `  delivered ${run.history.length} of ${LINES}${inOrder ? ', in order, once' : ' (ORDER OR COUNT WRONG)'}, run complete: ${run.complete}; ${bodies.length} requests, largest ${Math.max(...bodies)} bytes (cap ${MAX_REQUEST_BYTES}), 413s: ${server.tooLarge}`,
  );
  console.log(
    `  Sync: ${mb(bytes).toFixed(1)} MB in ${appSeconds.toFixed(2)} s = ${(mb(bytes) / appSeconds).toFixed(1)} MB/s; ceiling, bare POSTs of ${bodies.length} equal bodies (${mb(bareBytes).toFixed(1)} MB) to the same server: ${(mb(bareBytes) / bareSeconds).toFixed(1)} MB/s (ratio ${(mb(bytes) / appSeconds / (mb(bareBytes) / bareSeconds)).toFixed(2)})${resets ? `; ${resets} bare POST(s) re-sent after a reset` : ''}`,
  );
}

const part = process.env.BENCH_PART;
if (part !== 'backlog') await streamPart();
if (part !== 'stream') await backlogPart();
