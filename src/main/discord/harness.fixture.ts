// Shared set-up for the relay's file tests: a real DiscordService with fast retries and polling,
// pointed at a DiscordTestServer on 127.0.0.1. stopRelays() stops everything made here (afterEach).
import { ConfigSchema, type ConfigInput } from '../../shared/config';
import { silentLogger } from '../log';
import { DiscordService } from './service';
import type { DiscordTestServer } from './server.fixture';

const relays: DiscordService[] = [];

/** A relay reading from the start of its logs, with `discord` merged over enabled defaults. */
export function makeRelay(server: DiscordTestServer, dataDir: string, discord: ConfigInput['discord']): DiscordService {
  const svc = new DiscordService({
    config: ConfigSchema.parse({ discord: { enabled: true, startAt: 'start', ...discord } }).discord,
    dataDir,
    webhookUrl: server.webhookUrl,
    logger: silentLogger(),
    statusChanged() {},
    push() {},
    retryBaseMs: 20,
    retryMaxMs: 100,
    pollMs: 20,
  });
  relays.push(svc);
  return svc;
}

export async function stopRelays(): Promise<void> {
  await Promise.allSettled(relays.splice(0).map((s) => s.stop()));
}
