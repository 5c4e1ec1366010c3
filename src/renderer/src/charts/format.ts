// Number formats of the production view. One Intl.NumberFormat, made once: `toLocaleString` with
// options builds a new formatter per call, which took more time than drawing the chart (profiled
// in bench/charts.bench.ts with 50 items in the picker).
const RATE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Item ids in name order. One collator: `localeCompare` set one up on its first call while streaming (270 ms here). */
export const byName = new Intl.Collator('en').compare;

/** Rates as written (up to 2 decimals, as the scenario writes them), with thousands separators. */
export function formatRate(v: number): string {
  return RATE.format(v);
}
