// Client processes for bench/engine-isolation.bench.ts (each mode in its own process, so client
// work never shares a thread with the server it measures). Prints one JSON line when done; `batch`
// also prints "streaming" once its first chunk arrived. Modes:
//   steps ADDR N        N sequential tictactoe Steps; latencies in ms
//   batch ADDR          BatchSimulate(2048, 65,536 envs, auto-reset), read until killed
//   hang ADDR N         N Steps of a 2048 state whose RNG stands at word 2^53 - 1, a health check after each
//   cancel ADDR N       N BatchSimulate streams of 65,536 envs, each cancelled after its first answer
//   noread ADDR N       N streams opened and never read (held until killed)
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { EngineClient } from '../src/main/engine/client';

const [mode, addr, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 0);
const c = new EngineClient(addr);
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: p(0.5), p99: p(0.99), max: s.at(-1) };
};

if (mode === 'steps') {
  const r = await c.reset('tictactoe', 1n);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await c.step('tictactoe', r.state, Uint8Array.of(i % 9), 10_000);
    lat.push(performance.now() - t);
  }
  console.log(JSON.stringify(summary(lat)));
} else if (mode === 'batch') {
  const s = c.batchStream({
    envId: '2048',
    seed: 1n,
    numEnvs: 65_536,
    maxSteps: 10_000_000,
    random: { seed: 2n },
    autoReset: true,
  });
  let first = true;
  s.on('data', () => {
    if (first) console.log('streaming');
    first = false;
  });
  s.on('error', (e: ServiceError) => console.log(JSON.stringify({ error: e.details })));
} else if (mode === 'hang') {
  type H = Client & { check: (req: object, opts: object, cb: (e: ServiceError | null) => void) => void };
  const pkg = loadPackageDefinition(loadSync(healthProto)) as unknown as {
    grpc: { health: { v1: { Health: new (a: string, cr: unknown) => H } } };
  };
  const health = new pkg.grpc.health.v1.Health(addr, credentials.createInsecure());
  const state = (await c.reset('2048', 11n)).state.slice();
  Buffer.from(state.buffer, state.byteOffset).writeBigUInt64LE(2n ** 53n - 1n, 57);
  const lat: number[] = [];
  let answered = 0;
  for (let i = 0; i < n; i++) {
    await Promise.all(
      [0, 1, 2, 3].map((d) =>
        c.step('2048', state, Uint8Array.of(d), 10_000).then(
          () => answered++,
          () => answered++,
        ),
      ),
    );
    const t = performance.now();
    await new Promise<void>((resolve, reject) =>
      health.check({ service: '' }, { deadline: Date.now() + 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    lat.push(performance.now() - t);
  }
  console.log(JSON.stringify({ answered, health: summary(lat) }));
  health.close();
} else if (mode === 'cancel') {
  const codes: Record<string, number> = {};
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const s = c.batchStream({
            envId: '2048',
            seed: 1n,
            numEnvs: 65_536,
            maxSteps: 10_000_000,
            random: { seed: 2n },
            autoReset: true,
          });
          s.once('data', () => s.cancel());
          s.on('error', (e: ServiceError) => {
            codes[e.code] = (codes[e.code] ?? 0) + 1;
            resolve();
          });
          s.on('end', () => resolve());
        }),
    ),
  );
  console.log(JSON.stringify({ codes }));
} else if (mode === 'noread') {
  for (let i = 0; i < n; i++) {
    const s = c.batchStream({
      envId: 'tictactoe',
      seed: 1n,
      numEnvs: 4096,
      maxSteps: 10_000_000,
      random: { seed: 2n },
      autoReset: true,
    });
    s.pause();
    s.on('error', () => {});
  }
  console.log('holding');
}
if (mode !== 'batch' && mode !== 'noread') {
  c.close();
  process.exit(0);
}
