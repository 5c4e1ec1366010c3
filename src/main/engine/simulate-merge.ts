// Joins the parts of a sharded Simulate answer into the bytes one worker would have made. Each
// shard holds a contiguous range of environments and answers its rows in request order, encoded
// (simulate-pack.ts, without env_indices). Walking the request's rows in runs of one owner, the
// merge copies each field's run of rows from that owner's part: two copies per field for a whole
// request, more only for a subset whose indices jump between shards. Field order and empty-field
// omission are the packer's, so the bytes equal an unsharded answer (simulate-shard.test.ts).

/** Where each field's payload lies in an encoded part (fields 1-11; states as whole entries). */
interface Part {
  bytes: Uint8Array;
  fields: (Uint8Array | undefined)[];
  /** Encoded `states` entries (tag, length, bytes), one per row. */
  states: Uint8Array[];
  /** End offsets of each reset seed's varint inside field 9. */
  seedEnds: number[];
  refused: boolean;
}

function readVarint(b: Uint8Array, at: { pos: number }): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const x = b[at.pos++];
    n += (x & 0x7f) * mul;
    if (x < 0x80) return n;
    mul *= 128;
  }
}

function parse(bytes: Uint8Array): Part {
  const p: Part = { bytes, fields: [], states: [], seedEnds: [], refused: false };
  const at = { pos: 0 };
  while (at.pos < bytes.length) {
    const start = at.pos;
    const field = readVarint(bytes, at) >>> 3;
    const len = readVarint(bytes, at);
    const payload = bytes.subarray(at.pos, at.pos + len);
    at.pos += len;
    if (field === 10) p.states.push(bytes.subarray(start, at.pos));
    else p.fields[field] = payload;
    if (field === 12) p.refused = true;
  }
  const seeds = p.fields[9];
  if (seeds) for (let i = 0; i < seeds.length; i++) if (seeds[i] < 0x80) p.seedEnds.push(i + 1);
  return p;
}

function varintSize(n: number): number {
  let s = 1;
  for (; n >= 0x80; s++) n = Math.floor(n / 128);
  return s;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  for (; n >= 0x80; n = Math.floor(n / 128)) out[pos++] = (n & 0x7f) | 0x80;
  out[pos++] = n;
  return pos;
}

export interface MergeShape {
  obsBytes: number;
  players: number;
  actions: number;
}

/**
 * The whole answer from the shards' parts. `owner(j)` is the shard of the request's row j (k rows);
 * `envIndices` is the request's subset (empty: all). A refusal (every shard refuses alike) passes on.
 */
export function mergeParts(
  raw: Uint8Array[],
  k: number,
  owner: (j: number) => number,
  envIndices: readonly number[],
  s: MergeShape,
): Uint8Array {
  const parts = raw.map(parse);
  const refused = parts.find((p) => p.refused);
  if (refused) return refused.bytes;
  // Runs of consecutive rows with one owner: [shard, first row in that shard's part, rows].
  const runs: [number, number, number][] = [];
  const next = new Array<number>(parts.length).fill(0);
  for (let j = 0; j < k;) {
    const o = owner(j);
    let n = 1;
    while (j + n < k && owner(j + n) === o) n++;
    runs.push([o, next[o], n]);
    next[o] += n;
    j += n;
  }
  // Ended rows before row r of a part (final_obs and reset_seeds hold only those rows).
  const endedBefore = parts.map((p) => {
    const term = p.fields[4];
    const trunc = p.fields[5];
    const rows = next[parts.indexOf(p)];
    const c = new Uint32Array(rows + 1);
    for (let r = 0; r < rows; r++) c[r + 1] = c[r] + ((term?.[r] ?? 0) | (trunc?.[r] ?? 0));
    return c;
  });
  const pieces: Uint8Array[][] = [];
  const rowField = (f: number, size: number) =>
    runs.map(([o, r, n]) => parts[o].fields[f]?.subarray(r * size, (r + n) * size) ?? new Uint8Array(0));
  let idx = new Uint8Array(0);
  if (envIndices.length) {
    let len = 0;
    for (const i of envIndices) len += varintSize(i);
    idx = new Uint8Array(len);
    let pos = 0;
    for (const i of envIndices) pos = writeVarint(idx, pos, i);
  }
  pieces[1] = [idx];
  pieces[2] = rowField(2, s.obsBytes);
  pieces[3] = rowField(3, 4 * s.players);
  pieces[4] = rowField(4, 1);
  pieces[5] = rowField(5, 1);
  pieces[6] = rowField(6, s.actions);
  pieces[7] = rowField(7, 1);
  pieces[8] = runs.map(
    ([o, r, n]) =>
      parts[o].fields[8]?.subarray(endedBefore[o][r] * s.obsBytes, endedBefore[o][r + n] * s.obsBytes) ??
      new Uint8Array(0),
  );
  pieces[9] = runs.map(([o, r, n]) => {
    const p = parts[o];
    const a = endedBefore[o][r];
    const b = endedBefore[o][r + n];
    return p.fields[9]?.subarray(a ? p.seedEnds[a - 1] : 0, b ? p.seedEnds[b - 1] : 0) ?? new Uint8Array(0);
  });
  pieces[10] = runs.flatMap(([o, r, n]) => parts[o].states.slice(r, r + n));
  pieces[11] = rowField(11, 4);
  const lens = pieces.map((ps) => ps.reduce((t, b) => t + b.length, 0));
  let size = 0;
  for (let f = 1; f <= 11; f++) size += f === 10 || lens[f] === 0 ? lens[f] : 1 + varintSize(lens[f]) + lens[f];
  const out = new Uint8Array(size);
  let pos = 0;
  for (let f = 1; f <= 11; f++) {
    if (f !== 10) {
      if (lens[f] === 0) continue;
      out[pos++] = (f << 3) | 2;
      pos = writeVarint(out, pos, lens[f]);
    }
    for (const b of pieces[f]) {
      out.set(b, pos);
      pos += b.length;
    }
  }
  return out;
}
