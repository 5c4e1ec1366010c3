// Simulate from Python (bench/engine-simulate.py, Debian's python3 with the python/ package):
//   1. the vector env stepping 1,024 TicTacToe envs with random legal actions chosen in numpy,
//      against the engine and against a bare grpc-js server answering every request with bytes
//      of the same size (a real answer captured from the engine): the ceiling (goal >= 0.7);
//   2. the same client's unary Step loop (goal: Simulate >= 100x it);
//   3. one step of one env over the stream vs the bare echo of the same sizes (goal p50 <= 1.15x);
//   4. the same vector env on a second engine that splits the stream over two Simulate workers, same rounds.
// Figures are printed beside their same-run ceilings; nothing passes or fails on time.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { EngineClient } from '../src/main/engine/client';
import {
  type Capabilities,
  EngineService,
  SimulateRequest,
  SimulateResponse,
  type EngineId,
} from '../src/main/engine/gen/engine/v1/engine';
import { EngineServer } from '../src/main/engine/server';
import { capabilitiesOf } from '../src/main/engine/wire';
import { defaultSimWorkers } from '../src/main/engine/pool';
import { SimulateStreamClient } from '../src/main/engine/simulate-client';
import { TTT_INFO } from '../src/main/engine/games/tictactoe';
import { silentLogger } from '../src/main/log';

const root = join(import.meta.dirname, '..');
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// The engine as configured by default, and beside it one that splits a 1,024-env stream over two
// Simulate workers (the default from 4 cores up).
const engine = new EngineServer({ host: '127.0.0.1', port: 0, logger: silentLogger() });
await engine.start();
const client = new EngineClient(engine.address);
const split = new EngineServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), simWorkers: 2 });
await split.start();

/** A real open answer and a real step answer for n envs (random legal actions), encoded. */
async function capture(n: number): Promise<{ first: Buffer; step: Buffer }> {
  const s = new SimulateStreamClient(client);
  const first = await s.open({ envId: 'tictactoe', numEnvs: n, seed: 1n });
  const actions = Array.from({ length: n }, (_, i) => first.actionMask.subarray(i * 9, i * 9 + 9).indexOf(1));
  const step = await s.step(actions);
  s.close();
  await s.ended;
  return {
    first: Buffer.from(SimulateResponse.encode(first).finish()),
    step: Buffer.from(SimulateResponse.encode(step).finish()),
  };
}
const canned = new Map([
  [1024, await capture(1024)],
  [1, await capture(1)],
]);

// The ceiling: the Engine service's Simulate answering from memory, one answer per request.
const ident = (b: Buffer) => b;
const bare = new Server();
bare.addService(
  {
    getCapabilities: EngineService.getCapabilities,
    simulate: { ...EngineService.simulate, requestDeserialize: ident, responseSerialize: ident },
  },
  {
    getCapabilities: (_c: ServerUnaryCall<EngineId, Capabilities>, cb: sendUnaryData<Capabilities>) =>
      cb(null, capabilitiesOf(TTT_INFO, 'bare')),
    simulate: (call: ServerDuplexStream<Buffer, Buffer>) => {
      let set: { first: Buffer; step: Buffer } | undefined;
      call.on('data', (b: Buffer) => {
        if (set) call.write(set.step);
        else {
          set = canned.get(SimulateRequest.decode(b).open?.numEnvs ?? 0) ?? canned.get(1)!;
          call.write(set.first);
        }
      });
      call.on('end', () => call.end());
    },
  },
);
const barePort = await new Promise<number>((resolve, reject) =>
  bare.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);

const before = loadavg();
// Asynchronously: both servers live on this process's event loop.
let stdout = '';
try {
  ({ stdout } = await promisify(execFile)(
    python,
    [join(root, 'bench/engine-simulate.py'), engine.address, `127.0.0.1:${barePort}`, split.address],
    { cwd: root, timeout: 600_000 },
  ));
} catch (e) {
  console.error((e as { stderr?: string }).stderr ?? String(e));
  process.exitCode = 1;
} finally {
  bare.forceShutdown();
  client.close();
  await engine.stop();
  await split.stop();
}
const after = loadavg();
if (!stdout) process.exit(1);
const m = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
  vector: number;
  vector_bare: number;
  vector_rounds: number[];
  vector_bare_rounds: number[];
  vector_one: number;
  vector_one_rounds: number[];
  unary: number;
  latency: { p50: number; p99: number; n: number };
  latency_bare: { p50: number; p99: number; n: number };
};
const k = (x: number) => `${Math.round(x).toLocaleString('en-US')}/s`;
console.log(
  `load average ${before.map((x) => x.toFixed(1)).join(' ')} before, ${after.map((x) => x.toFixed(1)).join(' ')} after; ${availableParallelism()} cores; Simulate workers ${defaultSimWorkers()} (the default here)`,
);
console.log(
  `vector env, 1,024 TicTacToe envs, random legal actions in numpy: ${k(m.vector)} env-steps (median of rounds ${m.vector_rounds.map(k).join(', ')})`,
);
console.log(
  `  ceiling, the same client on a bare stream of the same bytes, alternating rounds: ${k(m.vector_bare)} (${m.vector_bare_rounds.map(k).join(', ')})  ratio ${(m.vector / m.vector_bare).toFixed(2)} (goal >= 0.7)`,
);
console.log(
  `  split over 2 Simulate workers (the default from 4 cores), same rounds: ${k(m.vector_one)} (${m.vector_one_rounds.map(k).join(', ')})  ratio ${(m.vector_one / m.vector_bare).toFixed(2)}; split / ${defaultSimWorkers()} worker(s) ${(m.vector_one / m.vector).toFixed(2)}x`,
);
console.log(
  `  unary Step loop, same client: ${k(m.unary)} steps  Simulate is ${(m.vector / m.unary).toFixed(0)}x (goal >= 100x)`,
);
console.log(
  `one env, one step round trip: p50 ${m.latency.p50.toFixed(3)} ms, p99 ${m.latency.p99.toFixed(3)} ms (${m.latency.n})`,
);
console.log(
  `  ceiling, bare bidi echo of the same sizes: p50 ${m.latency_bare.p50.toFixed(3)} ms, p99 ${m.latency_bare.p99.toFixed(3)} ms  ratio p50 ${(m.latency.p50 / m.latency_bare.p50).toFixed(2)}x (goal <= 1.15x), p99 ${(m.latency.p99 / m.latency_bare.p99).toFixed(2)}x`,
);
