import { beforeEach, describe, expect, it } from 'vitest';
import type { PipeEvent } from '../../../shared/events';
import { MAX_SESSIONS } from '../charts/series';
import { activeSessionId, forgetEvents, series, useStore } from './index';

let seq = 0;
const stats = (session: string, cycle: number): PipeEvent => ({
  seq: ++seq,
  receivedAt: cycle * 2000,
  line: '',
  event: {
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: { 'iron-plate': cycle },
    materials_consumption: {},
  },
});
const init = (session: string): PipeEvent => ({
  seq: ++seq,
  receivedAt: 0,
  line: '',
  event: { type: 'session_init', session_id: session, tick: 0, level_name: 'open_world' },
});
const chat = (): PipeEvent => ({ seq: ++seq, receivedAt: 0, line: '', event: { type: 'chat' } as never });

/** Store notifications during `fn`. */
function updatesDuring(fn: () => void): number {
  let n = 0;
  const unsub = useStore.subscribe(() => n++);
  try {
    fn();
  } finally {
    unsub();
  }
  return n;
}

const append = (batch: PipeEvent[]) => useStore.getState().appendEvents(batch);

describe('store: appendEvents', () => {
  beforeEach(() => {
    seq = 0;
    forgetEvents();
    useStore.setState({ pinnedSession: null });
  });

  it('takes in a whole batch with one store update', () => {
    const batch = [init('a'), stats('a', 1), stats('a', 2), init('b'), stats('b', 1), chat()];
    expect(updatesDuring(() => append(batch))).toBe(1);
    const s = useStore.getState();
    expect(s.recentEvents.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.lastSeq).toBe(6);
    expect(s.sessionIds).toEqual(['a', 'b']);
    expect(s.sessionVersions).toEqual({ a: series.sessions.get('a')!.version, b: series.sessions.get('b')!.version });
  });

  it('skips events already taken in (a batch repeated after a reconnect), and a batch of only those is no update at all', () => {
    const first = [init('a'), stats('a', 1), stats('a', 2)];
    append(first);
    const version = useStore.getState().sessionVersions.a;
    const overlap = [first[1], first[2], stats('a', 3)];
    append(overlap);
    expect(useStore.getState().recentEvents.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(
      series.sessions
        .get('a')!
        .points('iron-plate', 'production', 0)
        .map((p) => p.v),
    ).toEqual([1, 2, 3]);
    expect(useStore.getState().sessionVersions.a).not.toBe(version);
    expect(updatesDuring(() => append(overlap))).toBe(0);
    expect(updatesDuring(() => append([]))).toBe(0);
  });

  it('keeps sessionIds the same array while no session arrives or leaves', () => {
    append([init('a'), stats('a', 1)]);
    const ids = useStore.getState().sessionIds;
    append([stats('a', 2)]);
    append([init('a'), stats('a', 3)]);
    append([chat()]);
    expect(useStore.getState().sessionIds).toBe(ids);
    append([init('b')]);
    const withB = useStore.getState().sessionIds;
    expect(withB).not.toBe(ids);
    expect(withB).toEqual(['a', 'b']);
    // A batch for a session that is not on screen changes only that session's version.
    const versionB = useStore.getState().sessionVersions.b;
    append([stats('a', 4)]);
    expect(useStore.getState().sessionIds).toBe(withB);
    expect(useStore.getState().sessionVersions.b).toBe(versionB);
  });

  it('a new array when the oldest session is dropped to make room', () => {
    for (let i = 0; i < MAX_SESSIONS; i++) append([init(`s${i}`)]);
    const full = useStore.getState().sessionIds;
    append([init('newest')]);
    const after = useStore.getState().sessionIds;
    expect(after).not.toBe(full);
    expect(after).toEqual([...full.slice(1), 'newest']);
    expect(useStore.getState().sessionVersions).not.toHaveProperty('s0');
  });

  it('the session on screen follows the newest unless one is pinned, and follows again once the pinned one is gone', () => {
    append([init('a'), stats('a', 1)]);
    expect(activeSessionId(useStore.getState())).toBe('a');
    append([init('b')]);
    expect(activeSessionId(useStore.getState())).toBe('b');
    useStore.getState().setChart({ pinnedSession: 'a' });
    append([init('c'), stats('c', 1)]);
    expect(activeSessionId(useStore.getState())).toBe('a');
    for (let i = 0; i < MAX_SESSIONS; i++) append([init(`later${i}`)]);
    expect(useStore.getState().sessionIds).not.toContain('a');
    expect(activeSessionId(useStore.getState())).toBe(`later${MAX_SESSIONS - 1}`);
    expect(activeSessionId({ pinnedSession: null, sessionIds: [] })).toBeNull();
  });
});
