// Discord relay under a chat burst: 1,000 chat lines appended at once to a console.log by another
// process, relayed to a local server that enforces Discord's webhook bucket (5 requests per 2 s,
// announced in X-RateLimit-* headers, 429 beyond). Prints the time from the write until Discord has
// every line, the requests sent (coalescing ratio) and the 429s received, beside the fixed pacing of
// a relay that posts one message per line every 0.5 s (factorio-isr's), computed for the same lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../src/shared/config';
import { DiscordService } from '../src/main/discord/service';
import { DiscordTestServer } from '../src/main/discord/server.fixture';
import { silentLogger } from '../src/main/log';

const LINES = Number(process.env.BENCH_LINES ?? 1000);
const BASELINE_INTERVAL_S = 0.5;

const server = new DiscordTestServer({ limit: 5, windowMs: 2000 });
await server.start();
const dir = mkdtempSync(join(tmpdir(), 'cr-bench-discord-'));
const log = join(dir, 'console.log');
writeFileSync(log, '');
const svc = new DiscordService({
  config: ConfigSchema.parse({ discord: { enabled: true, consoleLogPath: log } }).discord,
  dataDir: dir,
  webhookUrl: server.webhookUrl,
  logger: silentLogger(),
  statusChanged() {},
  push() {},
});
await svc.start();

const names = ['Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Mallory', 'Trent'];
const text =
  Array.from(
    { length: LINES },
    (_, i) =>
      `2024-04-10 02:28:53 [CHAT] ${names[i % names.length]}: message ${i}: where do we put the next smelter column?`,
  ).join('\n') + '\n';
const t0 = performance.now();
spawnSync(process.execPath, ['-e', `require('fs').appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(text)})`]);
while (server.lines().length < LINES && performance.now() - t0 < 600_000) await new Promise((r) => setTimeout(r, 10));
const drain = (performance.now() - t0) / 1000;
const got = server.lines();
const inOrder = got.length === LINES && got.every((l, i) => l.includes(`message ${i}:`));
await svc.stop();
await server.stop();

const baseline = LINES * BASELINE_INTERVAL_S;
console.log(`Discord: ${LINES} chat lines in one burst, webhook bucket 5 requests / 2 s`);
console.log(
  `  delivered ${got.length} of ${LINES}${inOrder ? ', complete and in order' : ' (INCOMPLETE OR OUT OF ORDER)'}`,
);
console.log(
  `  drain time ${drain.toFixed(2)} s; one message per line every ${BASELINE_INTERVAL_S} s would take ${baseline.toFixed(0)} s (ratio ${(drain / baseline).toFixed(3)})`,
);
console.log(
  `  requests sent ${server.requests} (${(LINES / server.requests).toFixed(1)} lines per message), 429 received ${server.tooManyRequests}`,
);
