// Child process for bench/engine.bench.ts: the engine server and, beside it, bare grpc-js servers
// that answer with fixed bytes of the same sizes (the ceilings). Prints one JSON line of ports.
// Arguments: the Step reply (base64), the chunk file, the engine's batch worker count and their nice value.
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { EngineServer } from '../src/main/engine/server';
import { silentLogger } from '../src/main/log';

const ident = (b: Buffer) => b;
const [stepReplyB64, chunkFile, workers, nice] = process.argv.slice(2);
const stepReply = Buffer.from(stepReplyB64, 'base64');
const chunk = chunkFile ? readFileSync(chunkFile) : Buffer.alloc(0);

const engine = new EngineServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), workers: workers ? Number(workers) : undefined, batchNice: nice ? Number(nice) : undefined });
await engine.start();
const bare = new Server();
bare.addService(
  {
    echo: { path: '/bench.Bare/Echo', requestStream: false, responseStream: false, requestSerialize: ident, requestDeserialize: ident, responseSerialize: ident, responseDeserialize: ident },
    stream: { path: '/bench.Bare/Stream', requestStream: false, responseStream: true, requestSerialize: ident, requestDeserialize: ident, responseSerialize: ident, responseDeserialize: ident },
  },
  {
    echo: (_call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => cb(null, stepReply),
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
const barePort = await new Promise<number>((resolve, reject) => bare.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
console.log(JSON.stringify({ engine: engine.port, bare: barePort }));
process.on('SIGTERM', () => process.exit(0));
