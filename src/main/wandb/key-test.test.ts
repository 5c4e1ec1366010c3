// Settings' W&B "Test" button against the local W&B test server (real HTTP on 127.0.0.1).
import { afterEach, describe, expect, it } from 'vitest';
import { testWandbKey } from './key-test';
import { WandbTestServer } from './server.fixture';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('testWandbKey', () => {
  it('accepts a key the server knows and refuses one it does not, naming the server', async () => {
    const server = new WandbTestServer();
    const url = await server.start();
    cleanups.push(() => server.stop());
    expect(await testWandbKey(url, 'test-key')).toEqual({ ok: true, message: `${url} accepted the API key.` });
    const bad = await testWandbKey(url, 'wrong-key');
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain('refused the API key (HTTP 401)');
    expect(bad.message).not.toContain('wrong-key');
  });

  it('says so when no key is set or nothing answers', async () => {
    expect((await testWandbKey('http://127.0.0.1:9', undefined)).message).toMatch(/No API key/);
    const off = await testWandbKey('http://127.0.0.1:9', 'k', 2000);
    expect(off.ok).toBe(false);
    expect(off.message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9/);
  });
});
