// Prometheus metrics of the game and the app (graftorio2's role), with prom-client: the newest
// stats line's production and consumption per item, the game tick, the pipe's counters and each
// service's state. Values are read when scraped; nothing is kept beyond the newest line.
// Item and fluid rates come as force totals and, from Factorio 2.0 lines, per surface as well.
import { Counter, Gauge, Registry } from 'prom-client';
import { SERVICE_STATES, type StatusSnapshot } from '../../shared/api';
import { isStats, type PipeCounters, type PipeEvent, type Stats } from '../../shared/events';
import type { HistoryStatus } from '../../shared/history';

/** The rate maps of a stats line, each exported as a total gauge and a per-surface gauge. */
const RATE_MAPS = [
  { name: 'item_production', key: 'products_production', label: 'item', help: 'Items produced' },
  { name: 'item_consumption', key: 'materials_consumption', label: 'item', help: 'Items consumed' },
  { name: 'fluid_production', key: 'fluids_production', label: 'fluid', help: 'Fluids produced' },
  { name: 'fluid_consumption', key: 'fluids_consumption', label: 'fluid', help: 'Fluids consumed' },
] as const;

export interface MetricSources {
  pipe: () => PipeCounters | null;
  status: () => StatusSnapshot;
  history: () => HistoryStatus | null;
}

export class GameMetrics {
  readonly registry = new Registry();
  private latest: Stats | null = null;

  constructor(src: MetricSources) {
    const r = [this.registry];
    // collect() runs with the metric as `this`; the newest line is read through this arrow.
    const latest = (): Stats | null => this.latest;
    // The rates of the newest line: force totals (all surfaces, qualities merged), and where the
    // line has them (Factorio 2.0), the same per surface. Fluids only where the line carries them.
    for (const m of RATE_MAPS) {
      new Gauge({
        name: `factorio_${m.name}_per_minute`,
        help: `${m.help} per minute in the newest stats line (all surfaces).`,
        labelNames: ['session', m.label],
        registers: r,
        collect() {
          this.reset();
          const s = latest();
          if (s)
            for (const [k, v] of Object.entries(s[m.key] ?? {})) this.set({ session: s.session_id, [m.label]: k }, v);
        },
      });
      new Gauge({
        name: `factorio_surface_${m.name}_per_minute`,
        help: `${m.help} per minute on one surface (planet, platform) in the newest stats line (Factorio 2.0).`,
        labelNames: ['session', 'surface', m.label],
        registers: r,
        collect() {
          this.reset();
          const s = latest();
          for (const [surface, maps] of Object.entries(s?.surfaces ?? {}))
            for (const [k, v] of Object.entries(maps[m.key] ?? {}))
              this.set({ session: s!.session_id, surface, [m.label]: k }, v);
        },
      });
    }
    new Gauge({
      name: 'factorio_game_tick',
      help: 'Game tick of the newest stats line.',
      labelNames: ['session'],
      registers: r,
      collect() {
        this.reset();
        const s = latest();
        if (s) this.set({ session: s.session_id }, s.tick);
      },
    });
    // Counters kept by the pipe reader: set from its snapshot at scrape time.
    const counter = (name: string, help: string, read: (c: PipeCounters) => number) =>
      new Counter({
        name,
        help,
        registers: r,
        collect() {
          const c = src.pipe();
          this.reset();
          if (c) this.inc(read(c));
        },
      });
    counter(
      'controlroom_pipe_lines_read_total',
      'Lines read from the event pipe since the reader started.',
      (c) => c.linesRead,
    );
    counter('controlroom_pipe_lines_accepted_total', 'Lines accepted as events.', (c) => c.accepted);
    counter(
      'controlroom_pipe_lines_rejected_total',
      'Lines rejected (bad JSON, schema, too long...).',
      (c) => c.rejectedTotal,
    );
    counter(
      'controlroom_pipe_events_evicted_total',
      'Events pushed out of the in-memory cache by newer ones.',
      (c) => c.evicted,
    );
    new Gauge({
      name: 'controlroom_service_state',
      help: '1 for the state each service is in, 0 for the others.',
      labelNames: ['service', 'state'],
      registers: r,
      collect() {
        this.reset();
        for (const [service, s] of Object.entries(src.status().services))
          for (const state of SERVICE_STATES) this.set({ service, state }, s.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'controlroom_history_bytes',
      help: 'Bytes the production history occupies on disk.',
      registers: r,
      collect() {
        this.reset();
        const h = src.history();
        if (h) this.set(h.bytes);
      },
    });
  }

  /** The EventCache listener. */
  readonly add = (e: PipeEvent): void => {
    if (isStats(e.event)) this.latest = e.event;
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
