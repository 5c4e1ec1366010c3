// Child process for bench/engine.bench.ts: the engine server and, beside it, bare grpc-js servers
// that answer with fixed bytes of the same sizes (the ceilings), one of them after a postMessage
// round trip to a worker that does nothing else (the hop the lanes used before their ring), one
// after the same round trip through a SharedArrayBuffer (Atomics.wait in the worker,
// Atomics.waitAsync here: the lanes' mechanism without their game work).
// Prints one JSON line of ports.
// Arguments: the Step reply (base64), the chunk file, the engine's batch worker count and their nice value.
import { readFileSync } from 'node:fs';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { Worker } from 'node:worker_threads';
import { EngineServer } from '../src/main/engine/server';
import { silentLogger } from '../src/main/log';

const ident = (b: Buffer) => b;
const [stepReplyB64, chunkFile, workers, nice] = process.argv.slice(2);
const stepReply = Buffer.from(stepReplyB64, 'base64');
const chunk = chunkFile ? readFileSync(chunkFile) : Buffer.alloc(0);

const engine = new EngineServer({
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger(),
  workers: workers ? Number(workers) : undefined,
  batchNice: nice ? Number(nice) : undefined,
});
await engine.start();
// Copies the request (transferred) and answers with a transferred copy of the fixed reply.
const hop = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   parentPort.on('message', () => { const r = new Uint8Array(workerData); parentPort.postMessage(r, [r.buffer]); });`,
  { eval: true, workerData: new Uint8Array(stepReply) },
);
const hopQueue: ((r: Uint8Array) => void)[] = [];
hop.on('message', (r: Uint8Array) => hopQueue.shift()?.(r));
// One call at a time (the bench's client is sequential): request counter at 0, reply counter at 1.
const ringSab = new SharedArrayBuffer(8 + 4096);
const ringCtl = new Int32Array(ringSab, 0, 2);
const ringBytes = new Uint8Array(ringSab, 8);
const ringWorker = new Worker(
  `const { workerData: { sab, reply } } = require('node:worker_threads');
   const ctl = new Int32Array(sab, 0, 2); const bytes = new Uint8Array(sab, 8); let n = 0;
   for (;;) { while (Atomics.load(ctl, 0) === n) Atomics.wait(ctl, 0, n); n = Atomics.load(ctl, 0); bytes.set(reply); Atomics.store(ctl, 1, n); Atomics.notify(ctl, 1); }`,
  { eval: true, workerData: { sab: ringSab, reply: new Uint8Array(stepReply) } },
);
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;
let ringN = 0;
const bare = new Server();
bare.addService(
  {
    echo: {
      path: '/bench.Bare/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: ident,
      requestDeserialize: ident,
      responseSerialize: ident,
      responseDeserialize: ident,
    },
    hop: {
      path: '/bench.Bare/Hop',
      requestStream: false,
      responseStream: false,
      requestSerialize: ident,
      requestDeserialize: ident,
      responseSerialize: ident,
      responseDeserialize: ident,
    },
    ring: {
      path: '/bench.Bare/Ring',
      requestStream: false,
      responseStream: false,
      requestSerialize: ident,
      requestDeserialize: ident,
      responseSerialize: ident,
      responseDeserialize: ident,
    },
    stream: {
      path: '/bench.Bare/Stream',
      requestStream: false,
      responseStream: true,
      requestSerialize: ident,
      requestDeserialize: ident,
      responseSerialize: ident,
      responseDeserialize: ident,
    },
  },
  {
    echo: (_call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => cb(null, stepReply),
    hop: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
      const req = new Uint8Array(call.request);
      hopQueue.push((r) => cb(null, Buffer.from(r.buffer, r.byteOffset, r.byteLength)));
      hop.postMessage(req, [req.buffer]);
    },
    ring: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
      ringBytes.set(call.request.subarray(0, 4096));
      const answered = Atomics.load(ringCtl, 1);
      Atomics.store(ringCtl, 0, ++ringN);
      Atomics.notify(ringCtl, 0);
      const done = () => cb(null, Buffer.from(ringBytes.slice(0, stepReply.length)));
      const w = waitAsync(ringCtl, 1, answered);
      if (w.async) void (w.value as Promise<string>).then(done);
      else done();
    },
    // The request is the number of chunks to send; the same flow control as the engine's stream.
    stream: async (call: ServerWritableStream<Buffer, Buffer>) => {
      const n = call.request.readUInt32LE(0);
      for (let i = 0; i < n && !call.cancelled; i++) {
        if (!call.write(chunk)) await new Promise((r) => call.once('drain', r));
        else await new Promise((r) => setImmediate(r));
      }
      call.end();
    },
  },
);
const barePort = await new Promise<number>((resolve, reject) =>
  bare.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);
console.log(JSON.stringify({ engine: engine.port, bare: barePort }));
hop.unref();
ringWorker.unref();
process.on('SIGTERM', () => process.exit(0));
