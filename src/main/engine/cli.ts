// `npm run engine -- [--host H] [--port P] [--metrics-port M]`: the engine server alone, no UI, for
// placing several behind a gRPC load balancer. Prints one line per listener; SIGINT/SIGTERM stop it.
import { parseArgs } from 'node:util';
import { createLogger } from '../log';
import { serveMetrics } from './metrics-http';
import { EngineServer } from './server';

function port(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`engine: --${name} must be a port number 0-65535, got "${v}"`);
    process.exit(2);
  }
  return n;
}

function nice(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19) {
    console.error(`engine: --batch-nice must be a whole number 0-19, got "${v}"`);
    process.exit(2);
  }
  return n;
}

function count(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`engine: --${name} must be a whole number of at least 1, got "${v}"`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'metrics-port': { type: 'string' },
      'no-metrics': { type: 'boolean' },
      workers: { type: 'string' },
      'unary-workers': { type: 'string' },
      'batch-nice': { type: 'string' },
      'budget-ms': { type: 'string' },
      'max-streams': { type: 'string' },
      'stream-memory-mb': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run engine -- [--host 127.0.0.1] [--port 50051 (ENGINE_PORT; 0 = any free)] [--metrics-port PORT+1 (0 = any free)] [--no-metrics]\n' +
        '         [--workers N (cores; 1 on 2 cores)] [--unary-workers 2] [--batch-nice 10 (0-19)] [--budget-ms 3000] [--max-streams 32] [--stream-memory-mb 512]',
    );
    return;
  }
  const host = values.host ?? '127.0.0.1';
  const grpcPort = port(values.port ?? process.env.ENGINE_PORT, 50051, 'port');
  const logger = createLogger('engine');
  const engine = new EngineServer({
    host,
    port: grpcPort,
    logger,
    workers: count(values.workers, 'workers'),
    unaryWorkers: count(values['unary-workers'], 'unary-workers'),
    batchNice: nice(values['batch-nice']),
    budgetMs: count(values['budget-ms'], 'budget-ms'),
    maxStreams: count(values['max-streams'], 'max-streams'),
    maxStreamBytes:
      values['stream-memory-mb'] === undefined
        ? undefined
        : count(values['stream-memory-mb'], 'stream-memory-mb')! * 2 ** 20,
  });
  await engine.start();
  console.log(`engine listening on ${engine.address} (gRPC: engine.v1.Engine, grpc.health.v1.Health, reflection)`);
  let metrics: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  if (!values['no-metrics']) {
    metrics = await serveMetrics(
      engine.metrics,
      host,
      port(values['metrics-port'], grpcPort === 0 ? 0 : grpcPort + 1, 'metrics-port'),
    );
    console.log(`metrics on http://${host.includes(':') ? `[${host}]` : host}:${metrics.port}/metrics`);
  }
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost')
    logger.warn({ host }, 'the engine listens beyond loopback without TLS or authentication');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    metrics?.server.close();
    await engine.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`engine: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
