// Pipe events for the charts' tests: a session's first line and its stats lines, numbered in order
// and received two seconds of wall time apart per cycle (as the mod writes them).
import type { PipeEvent } from '../../../shared/events';

let seq = 0;

export const statsEvent = (
  session: string,
  cycle: number,
  prod: Record<string, number>,
  cons: Record<string, number> = {},
  receivedAt = cycle * 2000,
): PipeEvent => ({
  seq: ++seq,
  receivedAt,
  line: '',
  event: {
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: prod,
    materials_consumption: cons,
  },
});

export const initEvent = (session: string, tick = 0, level = 'open_world'): PipeEvent => ({
  seq: ++seq,
  receivedAt: 0,
  line: '',
  event: { type: 'session_init', session_id: session, tick, level_name: level },
});

/** What the mod writes after a save is loaded: the save's last cycle and its tick. */
export const resumedEvent = (session: string, cycle: number, tick: number): PipeEvent => ({
  seq: ++seq,
  receivedAt: 0,
  line: '',
  event: { type: 'session_init', session_id: session, tick, level_name: 'open_world', resumed: true, cycle },
});
