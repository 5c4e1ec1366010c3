// `npm run wandb-sync -- --data-dir DIR [--config FILE] [--timeout S]`: uploads every run in the
// journal (runs kept offline, refused earlier, or left unsent by a crash) and finishes them. Like
// the Sessions view's Sync, it clears stored refusals first (the key may have been fixed since).
// Run it while the app is closed; with the app open, use the Sync button instead.
import { parseArgs } from 'node:util';
import { ConfigError, loadToolConfig } from '../config';
import { createLogger } from '../log';
import { EventCache } from '../lib/cache';
import { WandbService } from './service';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, config: { type: 'string' }, timeout: { type: 'string' } },
  });
  let loaded;
  try {
    loaded = loadToolConfig({ config: values.config, dataDir: values['data-dir'] });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const { store, secrets } = loaded;
  const config = store.effective;
  const apiKey = secrets.resolve(config.wandb.apiKey, 'wandb.apiKey');
  if (!apiKey) {
    console.error('no W&B API key: set wandb.apiKey in the config, or WANDB_API_KEY');
    process.exit(2);
  }
  const svc = new WandbService({
    config: { ...config.wandb, mode: 'online' },
    dataDir: config.dataDir,
    apiKey,
    events: new EventCache(1),
    logger: createLogger('wandb-sync', process.env.LOG_LEVEL ?? 'warn'),
    statusChanged() {},
    push() {},
    finishTimeoutMs: 3000,
  });
  const timeoutMs = Number(values.timeout ?? 60) * 1000;
  await svc.start();
  await svc.sync();
  // Bounded: with W&B unreachable, what is left stays in the journal for the next try.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([svc.idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  await svc.stop();
  const runs = svc.snapshot().runs;
  for (const r of runs)
    console.log(
      `${r.runId}  ${r.displayName}  ${r.state}  ${r.linesAcked}/${r.linesJournaled} lines${r.failure ? `  (${r.failure})` : ''}${r.url ? `  ${r.url}` : ''}`,
    );
  const bad = runs.filter((r) => r.state !== 'finished');
  console.log(`${runs.length - bad.length} of ${runs.length} runs are complete in W&B`);
  process.exit(bad.length ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(`wandb-sync: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
