// Settings' RCON "Test" button against the RCON test server (real TCP on 127.0.0.1).
import { afterEach, describe, expect, it } from 'vitest';
import { RconTestServer } from './rcon-server.fixture';
import { testSlotRcon } from './rcon-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('testSlotRcon', () => {
  it('runs /version with the right password and names a refused one', async () => {
    const server = new RconTestServer({
      password: 'pw',
      handler: (c) => (c === '/version' ? 'Version: 2.0.55 (build 1)' : 'unknown'),
    });
    const port = await server.start();
    cleanups.push(() => server.stop());
    const ok = await testSlotRcon({ host: '127.0.0.1', port, password: 'pw' });
    expect(ok.ok).toBe(true);
    expect(ok.message).toContain('Version: 2.0.55');
    expect(server.commands).toEqual(['/version']);
    const refused = await testSlotRcon({ host: '127.0.0.1', port, password: 'nope' });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.message).toContain('password was refused');
  });

  it('says no server answered on a closed port', async () => {
    const server = new RconTestServer({ password: 'pw', handler: () => '' });
    const port = await server.start();
    await server.stop();
    const r = await testSlotRcon({ host: '127.0.0.1', port, password: 'pw' });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('no RCON server answered');
  });
});
