// The client step of the join test against stand-in client executables (shell scripts printing
// a real client's log lines): each verdict, the timeout, an early exit, and the log as it streams.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClientJoin } from './client-join';

function client(script: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cr-client-')), 'factorio');
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const join_ = (clientPath: string, timeoutMs = 10_000, onLine?: (l: string) => void) =>
  runClientJoin({ clientPath, host: '127.0.0.1', gamePort: 34197, timeoutMs, onLine });

describe('runClientJoin', () => {
  it('passes --mp-connect host:port and joins on the InGame state, streaming each log line', async () => {
    const lines: string[] = [];
    const r = await join_(
      client(`echo "   0.100 Info ClientMultiplayerManager.cpp:412: Connecting to $2"
echo "   2.000 Info ClientMultiplayerManager.cpp:1016: updateTick(62) changing state from(TryingToCatchUp) to(InGame)"
exec sleep 30`),
      10_000,
      (l) => lines.push(l),
    );
    expect(r).toEqual({
      ok: true,
      summary: 'the client reached the in-game state',
      evidence: [
        '   2.000 Info ClientMultiplayerManager.cpp:1016: updateTick(62) changing state from(TryingToCatchUp) to(InGame)',
      ],
    });
    expect(lines[0]).toBe('   0.100 Info ClientMultiplayerManager.cpp:412: Connecting to 127.0.0.1:34197');
  });

  it('a script-event mismatch fails with the lines that name the events', async () => {
    const r = await join_(
      client(`echo "   1.0 Error ScriptEventRegistration.cpp:88: level was not registered for the following events when the map was saved but has registered them as a result of loading: on_built_entity"
echo '   1.1 Info ClientMultiplayerManager.cpp:280: MultiplayerManager failed: "" + multiplayer.script-event-mismatch + on_built_entity'`),
    );
    expect(r.ok).toBe(false);
    expect(r.summary).toMatch(/script-event-mismatch/);
    expect(r.evidence).toHaveLength(2);
    expect(r.evidence[0]).toMatch(/registered them as a result of loading: on_built_entity/);
  });

  it('another multiplayer failure, an early exit, a missing executable and silence each fail with a reason', async () => {
    expect(
      (
        await join_(
          client(
            `echo '   3.0 Info ClientMultiplayerManager.cpp:280: MultiplayerManager failed: "Couldn'"'"'t establish network communication with server."'`,
          ),
        )
      ).summary,
    ).toMatch(/^the client could not join: .*establish network/);
    expect((await join_(client('echo starting; exit 3'))).summary).toBe('the client exited (code 3) before joining');
    expect((await join_('/nonexistent/factorio')).summary).toMatch(
      /^could not start the client \/nonexistent\/factorio/,
    );
    expect((await join_(client('echo loading; exec sleep 30'), 300)).summary).toMatch(/^no verdict within 0.3 s/);
  });
});
