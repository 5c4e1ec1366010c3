// The slices' actions against a fake preload bridge: the renderer's own client (api/client.ts),
// its error rebuilding and the store run for real; only the transport under them is scripted. The
// real contract end to end (main, dispatch, validation) is covered by the e2e specs of each view.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiErrorBody, MethodName, Result } from '../../../shared/api';
import type { PipeEvent } from '../../../shared/events';

type Answer = (payload: unknown) => Result<unknown> | Promise<Result<unknown>>;
const answers = new Map<string, Answer>();
const calls: { method: string; payload: unknown }[] = [];

const ok = (value: unknown): Result<unknown> => ({ ok: true, value });
const fail = (error: ApiErrorBody): Result<unknown> => ({ ok: false, error });

{
  const invoke = new Proxy(
    {},
    {
      get: (_t, method: string) => (payload: unknown) => {
        calls.push({ method, payload });
        const answer = answers.get(method);
        return Promise.resolve(
          answer ? answer(payload) : fail({ code: 'unknown_method', message: `no answer for ${method}` }),
        );
      },
    },
  );
  // api() picks the preload bridge when window.controlRoom exists, as in Electron.
  vi.stubGlobal('window', { controlRoom: { invoke, on: () => () => {} } });
}
afterAll(() => vi.unstubAllGlobals());

// `store.series` is read through the module: forgetting events replaces it.
const store = await import('./index');
const { useStore, refetch } = store;
const initial = useStore.getState();

beforeEach(() => {
  answers.clear();
  calls.length = 0;
  useStore.setState(initial, true);
});

const answer = (method: MethodName, fn: Answer) => answers.set(method, fn);

describe('slice actions', () => {
  it('W&B sync hands back the run count, and main refusing it as the message to show', async () => {
    answer('wandb.sync', () => ok({ runs: 3 }));
    expect(await useStore.getState().syncWandb()).toEqual({ ok: true, value: { runs: 3 } });
    answer('wandb.sync', () => fail({ code: 'unavailable', message: 'W&B is off' }));
    expect(await useStore.getState().syncWandb()).toEqual({ ok: false, error: 'W&B is off' });
  });

  it('saving the config keeps the field issues main reports, and a save that worked hands back the saved view', async () => {
    const issues = [{ path: 'pipe.path', message: 'must be absolute' }];
    answer('config.update', () => fail({ code: 'invalid_config', message: 'not saved: 1 problem', issues }));
    expect(await useStore.getState().saveConfig({ pipe: { path: 'x' } })).toEqual({
      ok: false,
      error: 'not saved: 1 problem',
      issues,
    });
    expect(calls.at(-1)).toEqual({ method: 'config.update', payload: { pipe: { path: 'x' } } });
    const view = { path: '/c.json', file: {}, effective: {} };
    answer('config.update', () => ok(view));
    expect(await useStore.getState().saveConfig({})).toEqual({ ok: true, value: view });
  });

  it('the demo toggle starts a stopped feed and stops a running one, and the store takes the answer', async () => {
    answer('demo.start', () => ok({ running: true, auto: false, message: 'on' }));
    answer('demo.stop', () => ok({ running: false, auto: false, message: 'off' }));
    await useStore.getState().toggleDemo();
    expect(useStore.getState().demo?.running).toBe(true);
    await useStore.getState().toggleDemo();
    expect(useStore.getState().demo?.running).toBe(false);
    expect(calls.map((c) => c.method)).toEqual(['demo.start', 'demo.stop']);
  });

  it('a demo toggle main refuses leaves the demo state as it was and says why', async () => {
    useStore.setState({ demo: { running: true, auto: false, message: 'on' } as never });
    answer('demo.stop', () => fail({ code: 'internal', message: 'could not stop' }));
    expect(await useStore.getState().toggleDemo()).toEqual({ ok: false, error: 'could not stop' });
    expect(useStore.getState().demo?.running).toBe(true);
  });

  it('slot actions name the slot, and deploy without one means every slot', async () => {
    answer('slots.deploy', () => ok([]));
    answer('slots.restart', () => fail({ code: 'bad_request', message: 'no restart command' }));
    await useStore.getState().deploySlots();
    await useStore.getState().deploySlots('a');
    expect(await useStore.getState().restartSlot('b')).toEqual({ ok: false, error: 'no restart command' });
    expect(calls).toEqual([
      { method: 'slots.deploy', payload: {} },
      { method: 'slots.deploy', payload: { id: 'a' } },
      { method: 'slots.restart', payload: { id: 'b' } },
    ]);
  });

  it('engine moves and Discord tests hand back what main answered', async () => {
    answer('engine.step', (p) => ok({ state: (p as { state: number[] }).state, reward: 0, done: false }));
    answer('discord.test', () => ok({ id: 7, text: 'test' }));
    expect(await useStore.getState().stepGame('tictactoe', [1, 2], [0])).toEqual({
      ok: true,
      value: { state: [1, 2], reward: 0, done: false },
    });
    expect(await useStore.getState().testDiscord()).toEqual({ ok: true, value: { id: 7, text: 'test' } });
  });

  it('seeding from the history puts a session known only to it ahead of the live ones, and a refusal is a result', async () => {
    const ev = (seq: number, session: string): PipeEvent => ({
      seq,
      receivedAt: 0,
      line: '',
      event: { type: 'session_init', session_id: session, tick: 0, level_name: 'x' },
    });
    store.forgetEvents();
    useStore.getState().appendEvents([ev(1, 'live')]);
    answer('history.sessions', () =>
      ok([
        { id: 'old', level: 'x', first: 0, last: 60, items: ['iron-plate'] },
        { id: 'live', level: 'x', first: 0, last: 1, items: [] },
      ]),
    );
    const series = [
      { item: 'iron-plate', p: [5, 6], c: [0, 0], pMin: [5, 6], pMax: [5, 6], cMin: [0, 0], cMax: [0, 0] },
    ];
    answer('history.query', (q) =>
      ok({ session: (q as { session: string }).session, resolution: 'full', t: [58, 60], series, first: 0, last: 60 }),
    );
    expect(await useStore.getState().seedHistory()).toEqual({ ok: true, value: undefined });
    expect(calls.filter((c) => c.method === 'history.query').map((c) => c.payload)).toEqual([
      { session: 'old', from: 0, maxPoints: 4000 },
    ]);
    expect(useStore.getState().sessionIds).toEqual(['old', 'live']);
    expect(useStore.getState().sessionVersions.old).toBe(store.series.sessions.get('old')?.version);
    answer('history.sessions', () => fail({ code: 'unavailable', message: 'history is off' }));
    expect(await useStore.getState().seedHistory()).toEqual({ ok: false, error: 'history is off' });
  });

  it('a filtered query that main cannot answer is an error result, not a thrown one', async () => {
    const r = await useStore.getState().queryEvents({ text: 'iron', limit: 10 });
    expect(r).toEqual({ ok: false, error: 'no answer for pipe.query' });
  });
});

describe('refetch on (re)connection', () => {
  const answersFor = (runId: string, events: PipeEvent[]) => {
    answer('app.info', () => ok({ runId }));
    answer('status.get', () => ok({ services: {} }));
    answer('config.get', () => ok({ path: '/c.json' }));
    answer('pipe.counters', () => ok(null));
    answer('pipe.query', () => ok({ events, total: events.length }));
    answer('demo.status', () => ok({ running: false }));
    answer('wandb.status', () => ok({ mode: 'offline' }));
    answer('discord.status', () => ok({ webhookSet: false }));
    answer('engine.status', () => ok({ address: '127.0.0.1:1' }));
    answer('slots.status', () => ok({ slots: [] }));
  };

  it('asks every slice at once: no answer is awaited before the last question is asked', async () => {
    answersFor('run-1', []);
    // Hold every answer until all ten questions are out; a load waiting on another would stall here.
    const held: (() => void)[] = [];
    let holding = true;
    for (const [method, fn] of [...answers])
      answers.set(method, (p) => (holding ? new Promise((resolve) => held.push(() => resolve(fn(p)))) : fn(p)));
    const done = refetch();
    try {
      await vi.waitFor(() => expect(held.length).toBe(10), { timeout: 2000 });
    } finally {
      // Released even when the check failed, so the refetch ends with the test.
      holding = false;
      for (const release of held) release();
      await done;
    }
    const s = useStore.getState();
    expect([
      s.info?.runId,
      s.config?.path,
      s.wandb?.mode,
      s.discord?.webhookSet,
      s.engine?.address,
      s.slots?.slots,
    ]).toEqual(['run-1', '/c.json', 'offline', false, '127.0.0.1:1', []]);
  });

  it('a different run of main starts the events over; one load failing fails the refetch', async () => {
    const ev = (seq: number): PipeEvent => ({
      seq,
      receivedAt: 0,
      line: '',
      event: { type: 'session_init', session_id: `s${seq}`, tick: 0, level_name: 'x' },
    });
    answersFor('run-1', [ev(1), ev(2)]);
    await refetch();
    expect(useStore.getState().lastSeq).toBe(2);
    answersFor('run-2', [ev(1)]);
    await refetch();
    expect(useStore.getState().recentEvents.map((e) => e.seq)).toEqual([1]);
    expect([...store.series.sessions.keys()]).toEqual(['s1']);
    answer('engine.status', () => fail({ code: 'internal', message: 'engine: boom' }));
    await expect(refetch()).rejects.toThrow('engine: boom');
  });
});
