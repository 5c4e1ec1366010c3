import type { PipeEvent } from '../../../shared/events';

/** Game time h:mm:ss for a tick (60 ticks per second). */
export function formatGameTime(tick: number): string {
  const s = Math.floor(tick / 60);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** One line about an event for the table. */
export function summarize(e: PipeEvent): string {
  const ev = e.event as Record<string, unknown>;
  if (ev.type === 'session_init') return `new session on level "${String(ev.level_name)}"`;
  if (ev.type === 'stats') {
    const prod = ev.products_production as Record<string, number>;
    const cons = ev.materials_consumption as Record<string, number>;
    const top = Object.entries(prod).sort((a, b) => b[1] - a[1])[0];
    return `cycle ${String(ev.cycle)} · ${Object.keys(prod).length} produced, ${Object.keys(cons).length} consumed${top ? ` · top ${top[0]} ${Math.round(top[1])}/min` : ''}`;
  }
  return e.line.length > 120 ? e.line.slice(0, 117) + '...' : e.line;
}
