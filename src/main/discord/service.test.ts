// The relay end to end: a real console.log on disk, written by a separate process where timing
// matters, and a local server speaking Discord's webhook protocol (buckets, 429, 5xx, 404, 401).
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, type ConfigInput } from '../../shared/config';
import type { DiscordStatus } from '../../shared/discord';
import { silentLogger } from '../log';
import { DiscordService } from './service';
import { parseWebhookUrl } from './webhook';
import { DiscordTestServer } from './server.fixture';

let server: DiscordTestServer;
const services: DiscordService[] = [];

beforeEach(async () => {
  // A short window keeps the tests quick; the bucket logic is the same as Discord's 5 per 2 s.
  server = new DiscordTestServer({ limit: 5, windowMs: 300 });
  await server.start();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  await server.stop();
});

function make(
  opts: { dataDir?: string; log?: string; discord?: ConfigInput['discord']; webhookUrl?: string | null } = {},
) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cr-discord-'));
  const log = opts.log ?? join(dataDir, 'console.log');
  const pushes: DiscordStatus[] = [];
  const svc = new DiscordService({
    config: ConfigSchema.parse({ discord: { enabled: true, consoleLogPath: log, startAt: 'start', ...opts.discord } })
      .discord,
    dataDir,
    webhookUrl: opts.webhookUrl === undefined ? server.webhookUrl : opts.webhookUrl,
    logger: silentLogger(),
    statusChanged() {},
    push: (name, p) => name === 'discord' && pushes.push(p as DiscordStatus),
    retryBaseMs: 20,
    retryMaxMs: 200,
    pollMs: 20,
  });
  services.push(svc);
  return { svc, dataDir, log, pushes };
}

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 20_000, interval: 20 });
const chat = (i: number) => `2024-04-10 02:28:53 [CHAT] player${i % 7}: message number ${i}`;

describe('DiscordService', () => {
  it('relays console lines in order, formatted, with mentions disabled and the bot name', async () => {
    const { svc, log } = make({ discord: { botName: 'Factory Bot' } });
    writeFileSync(log, '   1.306 Info RemoteCommandProcessor.cpp:131: Starting RCON interface at port 4000\n');
    await svc.start();
    appendFileSync(log, '2019-01-20 10:30:04 [JOIN] Alice joined the game\n');
    appendFileSync(log, '2019-01-20 10:30:07 [CHAT] Alice: hi @everyone <@123> **look**\n');
    appendFileSync(log, '2019-01-20 10:30:08 [WHISPER] Alice to Bob: secret\n');
    appendFileSync(log, '2019-01-20 10:30:21 [LEAVE] Alice left the game\n');
    await waitFor(() =>
      expect(server.lines()).toEqual([
        '✅ **Alice** joined the game',
        '💬 **Alice:** hi @everyone <@123> \\*\\*look\\*\\*',
        '❌ **Alice** left the game',
      ]),
    );
    for (const m of server.messages) {
      expect(m.allowed_mentions).toEqual({ parse: [] });
      expect(m.username).toBe('Factory Bot');
    }
    // Discord has the message before its answer reaches us: the sent state follows the answer.
    await waitFor(() => expect(svc.snapshot().recent.map((r) => r.state)).toEqual(['sent', 'sent', 'sent']));
    const s = svc.snapshot();
    expect(s.lines).toMatchObject({ read: 5, matched: 4, filtered: 1 });
    expect(s.types.find((t) => t.type === 'whisper')).toMatchObject({ enabled: false, seen: 1 });
  });

  it('waits for a missing file, then follows truncation, rename-away rotation and replacement', async () => {
    const { svc, log } = make();
    await svc.start();
    await waitFor(() => expect(svc.snapshot().tail).toBe('waiting'));
    appendFileSync(log, '[JOIN] a joined the game\n');
    await waitFor(() => expect(server.lines()).toHaveLength(1));
    // A partial line stays unsent until its newline arrives.
    appendFileSync(log, '[JOIN] b joi');
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(log, 'ned the game\n');
    await waitFor(() => expect(server.lines()).toHaveLength(2));
    truncateSync(log, 0);
    appendFileSync(log, '[JOIN] c joined the game\n');
    await waitFor(() => expect(server.lines()).toHaveLength(3));
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, '[JOIN] d joined the game\n');
    appendFileSync(log, '[JOIN] e joined the game\n');
    await waitFor(() => expect(server.lines()).toHaveLength(5));
    writeFileSync(`${log}.new`, '[JOIN] f joined the game\n');
    renameSync(`${log}.new`, log);
    await waitFor(() => expect(server.lines()).toHaveLength(6));
    expect(server.lines().map((l) => l.split('**')[1])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('a 1,000-line chat burst arrives complete and in order, coalesced, within the bucket', async () => {
    const { svc, log } = make();
    writeFileSync(log, '');
    await svc.start();
    // Written by another process, as the Factorio server would.
    const lines = Array.from({ length: 1000 }, (_, i) => chat(i)).join('\n') + '\n';
    spawnSync(process.execPath, [
      '-e',
      `require('fs').appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(lines)})`,
    ]);
    await waitFor(() => expect(server.lines()).toHaveLength(1000));
    expect(server.lines()).toEqual(
      Array.from({ length: 1000 }, (_, i) => `💬 **player${i % 7}:** message number ${i}`),
    );
    expect(server.messages.length).toBeLessThan(50);
    for (const m of server.messages) expect(m.content.length).toBeLessThanOrEqual(2000);
    // The client learns the bucket from the first response's headers and then never exceeds it.
    expect(server.tooManyRequests).toBeLessThanOrEqual(1);
    await waitFor(() => expect(svc.snapshot()).toMatchObject({ sentEvents: 1000, queue: 0 }));
  });

  it('5xx and dropped connections are retried: everything arrives once, in order', async () => {
    const { svc, log } = make();
    writeFileSync(log, '');
    server.faults = [{ status: 503 }, { drop: true }, { status: 502 }, { status: 500 }];
    await svc.start();
    for (let i = 0; i < 20; i++) appendFileSync(log, chat(i) + '\n');
    await waitFor(() => expect(server.lines()).toHaveLength(20));
    expect(server.lines()).toEqual(Array.from({ length: 20 }, (_, i) => `💬 **player${i % 7}:** message number ${i}`));
    expect(svc.snapshot().retried).toBe(4);
  });

  it('a deleted webhook (404) stops delivery with a plain reason and keeps the outbox for the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-discord-'));
    const a = make({ dataDir });
    writeFileSync(a.log, '');
    server.deleted = true;
    await a.svc.start();
    appendFileSync(a.log, '[JOIN] a joined the game\n[JOIN] b joined the game\n');
    await waitFor(() => expect(a.svc.snapshot().delivery).toBe('stopped'));
    expect(a.svc.snapshot().reason).toMatch(/deleted/);
    expect(a.svc.status().state).toBe('degraded');
    // Delivery has stopped: no retry loop against a webhook that is gone.
    const requests = server.requests;
    appendFileSync(a.log, '[JOIN] c joined the game\n');
    await waitFor(() => expect(a.svc.snapshot().queue).toBe(3));
    expect(server.requests).toBe(requests);
    await a.svc.stop();
    services.splice(services.indexOf(a.svc), 1);

    server.deleted = false;
    const b = make({ dataDir, log: a.log });
    await b.svc.start();
    await waitFor(() =>
      expect(server.lines()).toEqual([
        '✅ **a** joined the game',
        '✅ **b** joined the game',
        '✅ **c** joined the game',
      ]),
    );
    // The restart read on from the saved position: nothing read twice.
    appendFileSync(a.log, '[JOIN] d joined the game\n');
    await waitFor(() => expect(server.lines()).toHaveLength(4));
  });

  it('a bad token (401) stops delivery with its own message; a test message retries it', async () => {
    const { svc, log } = make();
    const good = server.token;
    server.token = 'rotated-by-an-admin';
    writeFileSync(log, '');
    await svc.start();
    appendFileSync(log, '[JOIN] a joined the game\n');
    await waitFor(() => expect(svc.snapshot().reason).toMatch(/rejected the webhook token \(401\)/));
    server.token = good;
    svc.sendTest();
    await waitFor(() =>
      expect(server.lines()).toEqual(['✅ **a** joined the game', '🧪 Test message from Factorio Control Room']),
    );
  });

  it('a message Discord refuses for good (400) is marked failed and the queue moves on', async () => {
    const { svc, log } = make();
    writeFileSync(log, '');
    await svc.start();
    server.faults = [{ status: 400 }];
    appendFileSync(log, '[JOIN] a joined the game\n');
    await waitFor(() => expect(svc.snapshot().failed).toBe(1));
    appendFileSync(log, '[JOIN] b joined the game\n');
    await waitFor(() => expect(server.lines()).toEqual(['✅ **b** joined the game']));
    await waitFor(() => expect(svc.snapshot().recent.map((r) => r.state)).toEqual(['sent', 'failed']));
  });

  it('type switches apply in place: off is read and counted, not relayed; on again relays', async () => {
    const { svc, log } = make({ discord: { types: { chat: false } } });
    writeFileSync(log, '');
    await svc.start();
    appendFileSync(log, '[CHAT] a: one\n[JOIN] a joined the game\n');
    await waitFor(() => expect(server.lines()).toEqual(['✅ **a** joined the game']));
    svc.reconfigure(ConfigSchema.parse({ discord: { types: { chat: true, whisper: true } } }));
    appendFileSync(log, '[CHAT] a: two\n[WHISPER] a to b: three\n');
    await waitFor(() =>
      expect(server.lines()).toEqual(['✅ **a** joined the game', '💬 **a:** two', '🤫 **a** to **b**: three']),
    );
    expect(svc.snapshot().lines.filtered).toBe(1);
  });

  it('a line cut at stop is read whole by the next start, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-discord-'));
    const a = make({ dataDir });
    writeFileSync(a.log, '');
    await a.svc.start();
    appendFileSync(a.log, '[JOIN] a joined the game\n[JOIN] b joi');
    await waitFor(() => expect(server.lines()).toEqual(['✅ **a** joined the game']));
    await a.svc.stop();
    services.splice(services.indexOf(a.svc), 1);
    appendFileSync(a.log, 'ned the game\n');
    const b = make({ dataDir, log: a.log });
    await b.svc.start();
    await waitFor(() => expect(server.lines()).toEqual(['✅ **a** joined the game', '✅ **b** joined the game']));
  });

  it('starts at the end of an existing file by default, and relays from there', async () => {
    const { svc, log } = make({ discord: { startAt: 'end' } });
    writeFileSync(log, '[JOIN] old joined the game\n');
    await svc.start();
    appendFileSync(log, '[JOIN] new joined the game\n');
    await waitFor(() => expect(server.lines()).toEqual(['✅ **new** joined the game']));
  });

  it('without a webhook URL events are journaled, not lost, and the status says why', async () => {
    const { svc, log, dataDir } = make({ webhookUrl: null });
    writeFileSync(log, '');
    await svc.start();
    appendFileSync(log, '[JOIN] a joined the game\n');
    await waitFor(() => expect(svc.snapshot().queue).toBe(1));
    expect(svc.status().summary).toMatch(/no webhook URL/);
    expect(existsSync(join(dataDir, 'discord', 'outbox.jsonl'))).toBe(true);
    expect(readFileSync(join(dataDir, 'discord', 'outbox.jsonl'), 'utf8')).toContain('a** joined the game');
  });
});

describe('parseWebhookUrl', () => {
  it('keeps the URL origin as the API base, so proxies and local servers work', () => {
    expect(parseWebhookUrl('https://discord.com/api/webhooks/123/abc-DEF_1')).toEqual({
      api: 'https://discord.com/api',
      route: '/webhooks/123/abc-DEF_1',
    });
    expect(parseWebhookUrl('http://127.0.0.1:9/api/v10/webhooks/1/t')).toEqual({
      api: 'http://127.0.0.1:9/api',
      route: '/webhooks/1/t',
    });
    expect(() => parseWebhookUrl('https://example.com/hooks/1')).toThrow(/not a Discord webhook URL/);
    // The message never echoes the URL (its token is a secret).
    expect(() => parseWebhookUrl('not a url with secret-token')).toThrow(/^discord.webhookUrl is not a URL$/);
  });
});
