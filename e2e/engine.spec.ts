import { createServer } from 'node:net';
import { join } from 'node:path';
import { EngineClient } from '../src/main/engine/client';
import { expect, headlessOf, test as base } from './fixtures';
import { root, run, waitForLine } from './harness';

/** A free loopback port for engine.port (the config wants a fixed one, not 0). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const test = base.extend<{ enginePort: number }>({
  // eslint-disable-next-line no-empty-pattern
  enginePort: async ({}, use) => use(await freePort()),
  appConfig: async ({ enginePort }, use) => use({ engine: { enabled: true, port: enginePort } }),
});

test.describe('Engine server', () => {
  test('shows the address and games, and a TicTacToe game played on the board goes through gRPC', async ({
    ui,
    enginePort,
  }) => {
    await ui.getByTestId('nav-engine').click();
    await expect(ui.getByTestId('engine-address')).toHaveText(`127.0.0.1:${enginePort}`);
    await expect(ui.getByTestId('engine-state')).toHaveText('serving');
    await expect(ui.getByTestId('engine-game-tictactoe')).toContainText('discrete(9)');
    await expect(ui.getByTestId('engine-game-2048')).toContainText('2048-state:v1');

    await ui.getByTestId('engine-ttt-new').click();
    await expect(ui.getByTestId('engine-ttt-status')).toHaveText('X to move');
    await ui.getByTestId('engine-ttt-cell-4').click();
    await expect(ui.getByTestId('engine-ttt-cell-4')).toHaveText('X');
    await ui.getByTestId('engine-ttt-cell-4').click();
    await expect(ui.getByTestId('engine-ttt-error')).toContainText('illegal move: cell 4 is taken by X');
    await ui.getByTestId('engine-ttt-new').click();
    for (const c of [0, 3, 1, 4, 2]) {
      await ui.getByTestId(`engine-ttt-cell-${c}`).click();
      await expect(ui.getByTestId(`engine-ttt-cell-${c}`)).not.toHaveText('');
    }
    await expect(ui.getByTestId('engine-ttt-status')).toHaveText('X wins (reward 1)');
    await expect(ui.getByTestId('engine-steps')).toHaveText('6');
    await expect(ui.getByTestId('engine-errors')).toHaveText('1');
    await expect(ui.getByTestId('engine-error-list')).toContainText('tictactoe: INVALID_ARGUMENT × 1');

    // Any gRPC client reaches the same server; its calls show up in the view.
    const client = new EngineClient(`127.0.0.1:${enginePort}`);
    const r = await client.reset('2048', 1n);
    const dirs = [0, 1, 2, 3];
    let state = r.state;
    let stepped = 0;
    for (let i = 0; i < 40 && stepped < 10; i++) {
      try {
        state = (await client.step('2048', state, Uint8Array.of(dirs[i % 4]))).state;
        stepped++;
      } catch {
        // A move that changes nothing is refused; try the next direction.
      }
    }
    client.close();
    await expect(ui.getByTestId('engine-steps')).toHaveText(String(6 + stepped));
    await expect(ui.getByTestId('engine-latency')).toHaveText(/\d.* \/ \d/);
  });

  test('headless mode serves the engine metrics at /metrics in Prometheus text format', async ({
    ui,
    enginePort,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'HTTP check against headless mode');
    const client = new EngineClient(`127.0.0.1:${enginePort}`);
    const r = await client.reset('tictactoe', 1n);
    await client.step('tictactoe', r.state, Uint8Array.of(0));
    client.close();
    const res = await fetch(`${headlessOf(ui).origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(await res.text()).toMatch(/engine_steps_total\{env_id="tictactoe"\} 1\n/);
  });

  // eslint-disable-next-line no-empty-pattern
  test('npm run engine runs the server alone with metrics beside it, and stops on SIGTERM', async ({}, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'process-level check, run once in the web project');
    const p = run([join(root, 'out/main/engine.js'), '--port', '0', '--metrics-port', '0'], { LOG_LEVEL: 'warn' });
    const [, address] = await waitForLine(p, /engine listening on (\S+)/);
    const [, metrics] = await waitForLine(p, /metrics on (\S+)/);
    const client = new EngineClient(address);
    expect((await client.capabilities('2048')).discrete?.n).toBe(4);
    client.close();
    expect(await (await fetch(metrics)).text()).toMatch(
      /engine_calls_total\{method="GetCapabilities",env_id="2048",code="OK"\} 1/,
    );
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
