// Shared start-up for both shells: env, secrets, config store, app. Kept apart from app.ts so that
// the composition root stays free of process-level concerns (argv, cwd, signals).
import { dirname, resolve } from 'node:path';
import { version } from '../../package.json';
import { ControlRoomApp } from './app';
import { ConfigStore, loadEnv } from './config';
import type { Logger } from './log';
import { appHome } from './paths';
import { SecretStore, type SecretCipher } from './secrets';

export interface BootOptions {
  mode: 'electron' | 'headless';
  configPath: string;
  dataDir?: string;
  logger: Logger;
  cipher?: SecretCipher | null;
  keepLastGood: boolean;
  /** The built demo feed program (out/main/feed.js). */
  feedScript?: string;
  demo?: 'auto' | 'on' | 'off';
}

/** `--demo` / `--no-demo` from a command line; `auto` otherwise. */
export function demoFlag(argv: string[]): 'auto' | 'on' | 'off' {
  if (argv.includes('--no-demo')) return 'off';
  return argv.includes('--demo') ? 'on' : 'auto';
}

export function boot(opts: BootOptions): { app: ControlRoomApp; store: ConfigStore; secrets: SecretStore } {
  const configPath = resolve(opts.configPath);
  const env = loadEnv(process.cwd());
  const secrets = new SecretStore(env, dirname(configPath), opts.cipher ?? null);
  const store = new ConfigStore({
    path: configPath,
    env,
    secrets,
    appHome: appHome(env as NodeJS.ProcessEnv),
    dataDirOverride: opts.dataDir,
    keepLastGood: opts.keepLastGood,
  });
  store.load();
  const app = new ControlRoomApp({
    mode: opts.mode,
    version,
    configStore: store,
    secrets,
    logger: opts.logger,
    feedScript: opts.feedScript,
    demo: opts.demo,
  });
  return { app, store, secrets };
}

/** Runs `stop` once on SIGINT/SIGTERM (a second signal exits at once). */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(130);
      stopping = true;
      void stop(sig);
    });
  }
}
