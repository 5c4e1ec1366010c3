import { beforeEach, describe, expect, it } from 'vitest';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { forgetEvents, useStore } from './index';
import { pipeFigures } from './pipe-figures';

const counters = (accepted: number, lastEventAt: number | null): PipeCounters => ({
  mode: 'file',
  path: '/p',
  createdFifo: false,
  linesRead: accepted,
  accepted,
  rejected: {},
  rejectedTotal: 0,
  evicted: 0,
  cached: accepted,
  capacity: 100,
  writerHangups: null,
  lastEventAt,
  recentRejected: [],
});
// Seqs are app-wide: this pipe run started after 10 events of an earlier one.
const ev = (n: number): PipeEvent => ({
  seq: 10 + n,
  receivedAt: 1000 + n,
  line: '',
  event: { type: 'chat' } as never,
});

const shown = () => {
  const s = useStore.getState();
  return pipeFigures(s.pipeCounters!, s.recentEvents.at(-1), s.pipeSeqOffset);
};

describe('pipe figures follow the table in the same store update', () => {
  beforeEach(() => {
    forgetEvents();
    useStore.setState({ pipeCounters: null, pipeSeqOffset: null });
  });

  it('counts a row the counters push has not reached yet, as soon as the row is in the table', () => {
    useStore.getState().appendEvents([ev(1), ev(2)]);
    useStore.getState().setPipeCounters(counters(2, 1002));
    expect(shown().accepted).toBe(2);
    // The events push arrives first; the counters (throttled) come later.
    useStore.getState().appendEvents([ev(3)]);
    expect(shown()).toMatchObject({ accepted: 3, linesRead: 3, cached: 3, lastEventAt: 1003 });
    useStore.getState().setPipeCounters(counters(3, 1003));
    expect(shown().accepted).toBe(3);
  });

  it('does not count twice when the counters arrive before the rows they count', () => {
    useStore.getState().appendEvents([ev(1)]);
    useStore.getState().setPipeCounters(counters(1, 1001));
    useStore.getState().setPipeCounters(counters(3, 1003));
    expect(shown().accepted).toBe(3);
    useStore.getState().appendEvents([ev(2), ev(3)]);
    expect(shown().accepted).toBe(3);
  });

  it('forgets the offset when the pipe starts a new run', () => {
    useStore.getState().appendEvents([ev(1), ev(2)]);
    useStore.getState().setPipeCounters(counters(2, 1002));
    useStore.getState().setPipeCounters(counters(0, null));
    expect(useStore.getState().pipeSeqOffset).toBeNull();
    expect(shown().accepted).toBe(0);
  });
});
