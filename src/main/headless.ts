// Headless mode: the same app.ts without Electron, the UI and contract served over HTTP+WebSocket.
// Usage: node out/main/headless.js [--config FILE] [--data-dir DIR] [--port N] [--open]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boot, onShutdownSignal } from './bootstrap';
import { ConfigError } from './config';
import { createLogger, logLevelProblem } from './log';
import { startupProblems } from './preflight';
import { defaultConfigPath } from './paths';
import { WebServer } from './transport/web';

const USAGE = 'usage: headless [--config FILE] [--data-dir DIR] [--host HOST] [--port N] [--open] [--demo | --no-demo]';

/** Opens the default browser where a desktop session exists; otherwise says what to do. */
async function openBrowser(url: string): Promise<void> {
  const fallback = 'No browser could be opened here; open the URL above in one.';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log(fallback);
    return;
  }
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.on('error', () => console.log(fallback));
  } catch {
    console.log(fallback);
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean', default: false },
        demo: { type: 'boolean' },
        'no-demo': { type: 'boolean' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const levelProblem = logLevelProblem(process.env.LOG_LEVEL);
  if (levelProblem) {
    console.error(`config error: environment: LOG_LEVEL: ${levelProblem}`);
    process.exit(2);
  }
  const logger = createLogger('control-room');
  const configPath = args.config ?? defaultConfigPath();
  // A missing file is created as the default one is: empty, every setting at its default. Without
  // asking, even at a terminal: saying so is enough, and scripts and services get the same start.
  const created = !existsSync(configPath);
  let booted;
  try {
    booted = boot({
      mode: 'headless',
      configPath,
      dataDir: args['data-dir'],
      logger,
      keepLastGood: false,
      feedScript: join(import.meta.dirname, 'feed.js'),
      demo: args['no-demo'] ? 'off' : args.demo ? 'on' : 'auto',
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.issues.map((i) => `config error: ${e.file}: ${i.path}: ${i.message}`).join('\n'));
      process.exit(2);
    }
    if (created && (e as NodeJS.ErrnoException).code) {
      console.error(`config file not found: ${configPath}, and it could not be created: ${(e as Error).message}`);
      process.exit(2);
    }
    throw e;
  }
  const { app, store, secrets } = booted;
  if (created)
    console.log(`Created ${store.path} with the default settings (edit it, or change them in the Settings view).`);
  // Headless has no window to show a half-working service in: refuse to start instead.
  const problems = startupProblems(store.effective, secrets);
  if (problems.length) {
    console.error(problems.map((i) => `config error: ${store.path}: ${i.path}: ${i.message}`).join('\n'));
    process.exit(2);
  }
  const web = store.effective.web;
  const port = args.port !== undefined ? Number(args.port) : web.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be 0-65535 (got ${JSON.stringify(args.port)})`);
    process.exit(2);
  }
  const host = args.host ?? web.host;
  let server: WebServer | null = null;
  // Installed before anything starts, so a signal at any moment still stops services cleanly.
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'stopping');
    const { timedOut } = await app.stop();
    await server?.close();
    process.exit(timedOut.length ? 1 : 0);
  });
  await app.start();
  server = new WebServer({
    host,
    port,
    allowedHosts: web.allowedHosts,
    maxSendBufferBytes: web.maxSendBufferBytes,
    rendererDir: join(import.meta.dirname, '../renderer'),
    handlers: app.handlers,
    hub: app.hub,
    health: () => app.snapshot(),
    metrics: () => app.metrics(),
    logger,
    // `npm run dev` restarts this process on every rebuild and keeps one token across restarts.
    token:
      process.env.CONTROL_ROOM_TOKEN && process.env.CONTROL_ROOM_TOKEN.length >= 32
        ? process.env.CONTROL_ROOM_TOKEN
        : undefined,
    devAssets: process.env.CONTROL_ROOM_DEV === '1',
  });
  try {
    await server.listen();
  } catch (e) {
    console.error(
      `cannot listen on ${host}:${port}: ${(e as Error).message} (set web.port, or --port 0 for any free port)`,
    );
    await app.stop();
    process.exit(1);
  }
  logger.info({ config: store.path, dataDir: store.effective.dataDir, mode: 'headless' }, 'started');
  const url = server.url;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    console.log(`warning: listening on ${host}; anyone who can reach it and has the token controls this app`);
  }
  // Tests and the start script read this line; keep its shape.
  console.log(`Control Room UI: ${url}`);
  if (args.open) await openBrowser(url);
}

main().catch((e: unknown) => {
  console.error(`headless: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
