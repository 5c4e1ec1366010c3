// The engine as an app service: starts the real server from config, plays through its own gRPC
// client, maps refusals to contract errors, pushes figures, and stops cleanly.
import { describe, expect, it } from 'vitest';
import { ApiError, type EngineStatus } from '../../shared/api';
import { ConfigSchema } from '../../shared/config';
import { silentLogger } from '../log';
import { EngineClient } from './client';
import { EngineService } from './service';

/** The engine section as the app's config parser fills it in (port 0: any free one, which the schema does not offer). */
const engineConfig = (over: { port: number }) => ({
  ...ConfigSchema.parse({ engine: { enabled: true, host: '127.0.0.1' } }).engine,
  ...over,
});

function make() {
  const pushes: EngineStatus[] = [];
  const svc = new EngineService({
    config: engineConfig({ port: 0 }),
    logger: silentLogger(),
    statusChanged() {},
    push: (_n, p) => pushes.push(p as EngineStatus),
    pushMs: 20,
  });
  return { svc, pushes };
}

describe('EngineService', () => {
  it('serves on the configured host, plays TicTacToe over gRPC, and reports calls, steps and errors', async () => {
    const { svc, pushes } = make();
    await svc.start();
    await svc.start();
    const snap = svc.snapshot();
    expect(snap.listening).toBe(true);
    expect(snap.games.map((g) => `${g.envId} ${g.actionSpace}`)).toEqual(['2048 discrete(4)', 'tictactoe discrete(9)']);
    // Another client sees the same server at the published address.
    const other = new EngineClient(snap.address);
    expect((await other.capabilities('tictactoe')).maxHorizon).toBe(9);
    other.close();

    let g = await svc.reset('tictactoe', 5);
    for (const c of [0, 3, 1, 4]) g = await svc.step('tictactoe', g.state, [c]);
    await expect(svc.step('tictactoe', g.state, [0])).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/cell 0 is taken/),
    });
    g = await svc.step('tictactoe', g.state, [2]);
    expect(g).toMatchObject({ done: true, reward: 1 });
    expect(g.obs).toHaveLength(27);
    await expect(svc.reset('chess', 1)).rejects.toBeInstanceOf(ApiError);

    // The server counts a call once its answer is on the way, so the client may see it first.
    await expect.poll(() => [pushes.at(-1)?.steps, pushes.at(-1)?.calls]).toEqual([5, 9]);
    const last = pushes.at(-1)!;
    expect(last.stepP50Ms).not.toBeNull();
    expect(last.errors).toEqual(
      expect.arrayContaining([
        { envId: 'tictactoe', code: 'INVALID_ARGUMENT', count: 1 },
        { envId: 'unknown', code: 'NOT_FOUND', count: 1 },
      ]),
    );
    expect(svc.metricsText()).toMatch(/engine_steps_total\{env_id="tictactoe"\} 5/);
    await svc.stop();
    await svc.stop();
    expect(svc.status().state).toBe('stopped');
    await expect(svc.reset('tictactoe', 1)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('engine.reset / engine.step return exactly the observation and state bytes gRPC returns for the same call', async () => {
    const { svc } = make();
    await svc.start();
    const grpc = new EngineClient(svc.snapshot().address);
    const f32bytes = (obs: number[]) => Buffer.from(Float32Array.from(obs).buffer);
    for (const envId of ['tictactoe', '2048']) {
      // Many calls, so replies land at different offsets of Node's shared Buffer pool.
      let viaContract = await svc.reset(envId, 7);
      let viaGrpc = await grpc.reset(envId, 7n);
      for (let i = 0; i < 6; i++) {
        expect(f32bytes(viaContract.obs).equals(Buffer.from(viaGrpc.obs))).toBe(true);
        expect(Buffer.from(viaContract.state).equals(Buffer.from(viaGrpc.state))).toBe(true);
        expect(viaContract.obs.every((v) => Number.isInteger(v) && v >= 0 && v <= 17)).toBe(true);
        if (viaGrpc.obs.length === 0) break;
        const legal =
          envId === 'tictactoe'
            ? viaContract.obs.slice(18).findIndex((v) => v === 1)
            : viaContract.obs.slice(16).findIndex((v) => v === 1);
        if (legal < 0) break;
        const state = viaContract.state;
        const [c, g] = await Promise.all([
          svc.step(envId, state, [legal]),
          grpc.step(envId, Uint8Array.from(state), Uint8Array.of(legal)),
        ]);
        viaContract = c;
        viaGrpc = { state: g.state, obs: g.obs };
        expect(c.reward).toBe(g.reward);
        expect(c.done).toBe(g.done);
      }
    }
    grpc.close();
    await svc.stop();
  });

  it('reports a port it cannot take as an error state, without throwing from start()', async () => {
    const { svc } = make();
    await svc.start();
    const port = Number(svc.snapshot().address.split(':').at(-1));
    const second = new EngineService({
      config: engineConfig({ port }),
      logger: silentLogger(),
      statusChanged() {},
      push() {},
    });
    await expect(second.start()).resolves.toBeUndefined();
    expect(second.status()).toMatchObject({
      state: 'error',
      summary: expect.stringMatching(/cannot listen on 127.0.0.1/),
    });
    await expect(second.reset('tictactoe', 1)).rejects.toMatchObject({ code: 'unavailable' });
    await second.stop();
    await svc.stop();
  });
});
