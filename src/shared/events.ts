// The Factorio event stream (JSONL written by scenario/open_world): schemas and the line parser.
// Shared so the UI and main agree on every field. Rates are items per minute.
import { z } from 'zod';

const itemName = z.string().min(1).max(200);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);

/**
 * item -> items/min; finite and >= 0. Item names are arbitrary (`constructor`, `__proto__`), so the
 * result has no prototype: `rates[name]` never finds an inherited member. Checked as a Map because
 * z.record builds its output on `{}`, where a `__proto__` key sets the prototype instead of an entry.
 */
export const RatesSchema = z
  .preprocess(
    (v) => (isPlainObject(v) ? new Map(Object.entries(v)) : v),
    z.map(itemName, z.number().finite().nonnegative(), { error: 'expected an object of item: rate' }),
  )
  .transform((m) => {
    const out: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [k, x] of m) out[k] = x;
    return out;
  });
export type Rates = Record<string, number>;

/** Objects and arrays nested deeper than this are refused before anything walks them recursively. */
export const MAX_EVENT_DEPTH = 64;

/**
 * Whether a JSON text nests objects/arrays deeper than `max`. A scan of the text, not of the parsed
 * value: JSON.parse copes with any depth, but every recursive walk after it (JSON.stringify for the
 * UI, the non-finite check) overflows the stack at a few thousand levels.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** One surface's share of a stats line: the same four maps, each optional. */
export const SurfaceRatesSchema = z.object({
  products_production: RatesSchema.optional(),
  materials_consumption: RatesSchema.optional(),
  fluids_production: RatesSchema.optional(),
  fluids_consumption: RatesSchema.optional(),
});

export const SessionInitSchema = z.object({
  type: z.literal('session_init'),
  session_id: z.string().min(1).max(200),
  tick: z.number().int().nonnegative(),
  level_name: z.string().max(200),
  /** Set on the line written after a save was loaded (a restart, a join-free reload, or an earlier autosave). */
  resumed: z.boolean().optional(),
  /** With `resumed`: the last cycle the save holds. Below the last cycle a reader saw for this id: an earlier save was loaded. */
  cycle: z.number().int().nonnegative().optional(),
  /** A session started in a running game (new_session) names the one it followed. */
  parent_session_id: z.string().min(1).max(200).optional(),
});
export type SessionInit = z.infer<typeof SessionInitSchema>;

export const StatsSchema = z.object({
  type: z.literal('stats'),
  session_id: z.string().min(1).max(200),
  cycle: z.number().int().nonnegative(),
  tick: z.number().int().nonnegative(),
  products_production: RatesSchema,
  materials_consumption: RatesSchema,
  /** Fluids per minute, optional (the mod and scenario write them; older readers ignore them). */
  fluids_production: RatesSchema.optional(),
  fluids_consumption: RatesSchema.optional(),
  /** 2.0: per surface (planet, platform), only what moved in the interval; qualities merged. */
  surfaces: z.record(itemName, SurfaceRatesSchema).optional(),
});
export type Stats = z.infer<typeof StatsSchema>;

/** An event of a type this version does not know: kept as it came, for the Events view. */
export const RawEventSchema = z.looseObject({ type: z.string() });
export type RawEvent = z.infer<typeof RawEventSchema>;

/** Any accepted event: one of the kinds this version knows, else kept as it came. */
export const GameEventSchema = z.union([SessionInitSchema, StatsSchema, RawEventSchema]);
export type GameEvent = z.infer<typeof GameEventSchema>;

export const REJECT_REASONS = [
  'invalid_json',
  'not_object',
  'missing_type',
  'schema',
  'non_finite',
  'negative',
  'too_long',
  'invalid_utf8',
  'too_deep',
  'failed',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ParseResult =
  { ok: true; event: GameEvent; known: boolean } | { ok: false; reason: RejectReason; message: string };

/** Walks a value for numbers JSON cannot carry but JSON.parse can produce (1e999 -> Infinity). */
function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (v && typeof v === 'object') for (const x of Object.values(v)) if (hasNonFinite(x)) return true;
  return false;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 200;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Checks a parsed rates object and, if it passes, takes its prototype away (it is ours: JSON.parse made it). */
function asRates(v: unknown): Rates | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (k.length < 1 || k.length > 200 || typeof x !== 'number' || !(x >= 0) || x === Infinity) return null;
  }
  // JSON.parse stores a `__proto__` key as an own entry, so nothing is lost; only lookups change.
  Object.setPrototypeOf(v, null);
  return v as Rates;
}

/**
 * Hand-written checks equal to the schemas above, for the hot path: zod costs about three times
 * JSON.parse on a 40-item stats line, which would cap the reader far below the pipe's speed.
 * A line that fails here goes through zod for the exact message; a test keeps the two in agreement.
 */
const OPTIONAL_RATES = ['fluids_production', 'fluids_consumption'] as const;
const SURFACE_RATES = ['products_production', 'materials_consumption', ...OPTIONAL_RATES] as const;

/** Copies the optional rate maps present in `from` (undefined: absent), or null if one is not rates. */
function optionalRates(from: Record<string, unknown>, keys: readonly string[]): Record<string, Rates> | null {
  const out: Record<string, Rates> = {};
  for (const k of keys) {
    const x = from[k];
    if (x === undefined) continue;
    const rates = asRates(x);
    if (!rates) return null;
    out[k] = rates;
  }
  return out;
}

function isSurfaces(v: unknown): v is Record<string, Record<string, Rates>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (k.length < 1 || k.length > 200 || typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    if (!optionalRates(x as Record<string, unknown>, SURFACE_RATES)) return false;
  }
  return true;
}

function fastValidate(type: string, v: Record<string, unknown>): GameEvent | null {
  if (type === 'stats') {
    if (!isId(v.session_id) || !isCount(v.cycle) || !isCount(v.tick)) return null;
    const products = asRates(v.products_production);
    const materials = products && asRates(v.materials_consumption);
    if (!products || !materials) return null;
    const extra = optionalRates(v, OPTIONAL_RATES);
    if (!extra) return null;
    const out: Stats = {
      type,
      session_id: v.session_id,
      cycle: v.cycle,
      tick: v.tick,
      products_production: products,
      materials_consumption: materials,
      ...extra,
    };
    if (v.surfaces !== undefined) {
      if (!isSurfaces(v.surfaces)) return null;
      // Rebuilt like zod does: only the known maps of each surface.
      const surfaces: Stats['surfaces'] = {};
      for (const k in v.surfaces) surfaces[k] = optionalRates(v.surfaces[k]!, SURFACE_RATES)!;
      out.surfaces = surfaces;
    }
    return out;
  }
  if (!isId(v.session_id) || !isCount(v.tick) || typeof v.level_name !== 'string' || v.level_name.length > 200)
    return null;
  const out: SessionInit = { type: 'session_init', session_id: v.session_id, tick: v.tick, level_name: v.level_name };
  if (v.resumed !== undefined) {
    if (typeof v.resumed !== 'boolean') return null;
    out.resumed = v.resumed;
  }
  if (v.cycle !== undefined) {
    if (!isCount(v.cycle)) return null;
    out.cycle = v.cycle;
  }
  if (v.parent_session_id !== undefined) {
    if (!isId(v.parent_session_id)) return null;
    out.parent_session_id = v.parent_session_id;
  }
  return out;
}

const tooDeep = (): ParseResult => ({
  ok: false,
  reason: 'too_deep',
  message: `objects or arrays nested deeper than ${MAX_EVENT_DEPTH} levels`,
});

/**
 * Parses one line (no newline). Never throws: every problem is a reason and a message. A known
 * event that passes the fast check has a fixed shape, so only the other paths pay for the depth scan.
 */
export function parseEventLine(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { ok: false, reason: 'invalid_json', message: (e as Error).message };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not_object', message: 'an event must be a JSON object' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, reason: 'missing_type', message: 'an event needs a string "type"' };
  const schema = type === 'stats' ? StatsSchema : type === 'session_init' ? SessionInitSchema : null;
  if (!schema)
    return nestedDeeperThan(line, MAX_EVENT_DEPTH) ? tooDeep() : { ok: true, event: value as RawEvent, known: false };
  const fast = fastValidate(type, value as Record<string, unknown>);
  if (fast) return { ok: true, event: fast, known: true };
  if (nestedDeeperThan(line, MAX_EVENT_DEPTH)) return tooDeep();
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, event: r.data, known: true };
  if (hasNonFinite(value))
    return { ok: false, reason: 'non_finite', message: 'a number is not finite (NaN or Infinity)' };
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join('.');
  const negative =
    issue.code === 'too_small' &&
    (issue as { minimum?: unknown }).minimum === 0 &&
    /^(products_production|materials_consumption|fluids_|surfaces\.)/.test(path);
  if (negative) return { ok: false, reason: 'negative', message: `${path}: a rate cannot be negative` };
  return { ok: false, reason: 'schema', message: `${type}: ${path || '(event)'}: ${issue.message}` };
}

/** An accepted event of type `stats`: parseEventLine lets one through only when it passed StatsSchema. */
export function isStats(e: GameEvent): e is Stats {
  return e.type === 'stats';
}

/** An accepted event of type `session_init` (it passed SessionInitSchema, as above). */
export function isSessionInit(e: GameEvent): e is SessionInit {
  return e.type === 'session_init';
}

/** One accepted event as the cache and the UI hold it (the contract's `events` push and pipe.query carry these). */
export const PipeEventSchema = z.object({
  /** Increasing per reader run, 1-based. */
  seq: z.number(),
  /** Epoch ms when the line was read. */
  receivedAt: z.number(),
  event: GameEventSchema,
  /** The line as read (for text search). */
  line: z.string(),
});
export type PipeEvent = z.infer<typeof PipeEventSchema>;

export interface RejectedLine {
  at: number;
  reason: RejectReason;
  message: string;
  /** The first 200 characters of the line (or the byte count, for over-long lines). */
  preview: string;
}

export const PipeCountersSchema = z.object({
  mode: z.enum(['fifo', 'file']).nullable(),
  path: z.string(),
  /** Whether the path is a FIFO we created (and will remove on stop). */
  createdFifo: z.boolean(),
  linesRead: z.number(),
  accepted: z.number(),
  rejected: z.record(z.string(), z.number()),
  rejectedTotal: z.number(),
  evicted: z.number(),
  cached: z.number(),
  capacity: z.number(),
  /**
   * FIFO: times the reader found every writer gone (end of file); null where the platform does not
   * show it. Not a count of writes or writer sessions: writes close together share one hang-up.
   */
  writerHangups: z.number().nullable(),
  lastEventAt: z.number().nullable(),
  recentRejected: z.array(
    z.object({ at: z.number(), reason: z.enum(REJECT_REASONS), message: z.string(), preview: z.string() }),
  ),
});
export type PipeCounters = z.infer<typeof PipeCountersSchema>;

/** Game time for a tick (60 ticks per second at nominal speed). */
export function gameSeconds(tick: number): number {
  return tick / 60;
}
