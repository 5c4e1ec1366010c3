// Sharding must not change a single byte: the same request split over 1, 2, 3 or 7 shards and
// merged per round gives exactly the chunks one thread gives. The hand-written record encoder
// must match the generated protobuf encoders.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchSimulateRequest,
  BatchSimulateRequest_Output,
  EpisodeSummary,
  SimResultChunk,
  Transition,
} from './gen/engine/v1/engine';
import { ChunkAssembler } from './merge';
import { RecordWriter } from './records';
import { builtInGames } from './registry';
import { perResultBytes } from './stream';
import { Shard } from './shard';

const reg = builtInGames();
const u8 = (...v: number[]) => Uint8Array.from(v);

/** Runs the request over `k` shards, `rounds` rounds per slice; returns the chunks or the error. */
function run(
  req: BatchSimulateRequest,
  k: number,
  rounds: number,
): { chunks: Buffer[]; error: string | null; steps: number } {
  const game = reg.create(req.id!.envId);
  const n = req.numEnvs;
  const shards = Array.from(
    { length: k },
    (_, j) => new Shard(req, reg.create(req.id!.envId), Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k)),
  );
  let steps = 0;
  const asm = new ChunkAssembler(
    { chunkSize: req.chunkSize || 1000, maxChunkBytes: 1 << 20, perResult: perResultBytes(req, game.info) },
    (s) => (steps += s),
  );
  const chunks: Buffer[] = [];
  const done = new Array<boolean>(k).fill(false);
  while (done.some((d) => !d)) {
    const slices = shards.map((s, j) => (done[j] ? null : s.run(rounds)));
    slices.forEach((s, j) => (done[j] ||= !!s && (s.finished || !!s.error)));
    const out = asm.add(slices);
    let c = out.next();
    for (; !c.done; c = out.next()) chunks.push(c.value);
    if (c.value) return { chunks, error: `${c.value.code}: ${c.value.message}`, steps };
  }
  chunks.push(asm.finish());
  return { chunks, error: null, steps };
}

function request(over: Partial<BatchSimulateRequest> & { envId: string }): BatchSimulateRequest {
  const { envId, ...rest } = over;
  return BatchSimulateRequest.fromPartial({ id: { envId, buildId: '' }, seed: 1n, numEnvs: 1, maxSteps: 1, ...rest });
}

describe('sharded BatchSimulate', () => {
  it('gives the same chunks for 1, 2, 3 and 7 shards and any slice length (transitions, episodes, states, auto-reset)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('tictactoe', '2048'),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 50 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (envId, numEnvs, maxSteps, autoReset, episodes, includeState, chunkSize, seed) => {
          const req = request({
            envId,
            numEnvs,
            maxSteps,
            autoReset,
            includeState,
            chunkSize,
            seed,
            random: { seed: seed ^ 5n },
            output: episodes
              ? BatchSimulateRequest_Output.OUTPUT_EPISODES
              : BatchSimulateRequest_Output.OUTPUT_TRANSITIONS,
          });
          const one = run(req, 1, 1_000_000);
          expect(one.chunks.at(-1)!.length).toBeGreaterThan(0);
          for (const [k, rounds] of [
            [2, 1],
            [3, 4],
            [7, 2],
            [1, 3],
          ]) {
            const other = run(req, Math.min(k, numEnvs), rounds);
            expect(Buffer.concat(other.chunks).equals(Buffer.concat(one.chunks))).toBe(true);
            expect(other.chunks.map((c) => c.length)).toEqual(one.chunks.map((c) => c.length));
            expect(other.steps).toBe(one.steps);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stops at the first illegal listed action in stepping order, whichever shard holds it', () => {
    const lists = [
      { actions: [u8(0), u8(1), u8(2)] },
      { actions: [u8(4), u8(4)] },
      { actions: [u8(0), u8(0)] },
      { actions: [u8(8), u8(7), u8(6)] },
    ];
    const req = request({ envId: 'tictactoe', numEnvs: 4, maxSteps: 10, chunkSize: 1, actions: { lists } });
    const one = run(req, 1, 100);
    expect(one.error).toBe('invalid_argument: environment 1, action 1: illegal move: cell 4 is taken by X');
    const chunksBefore = one.chunks
      .map((c) => SimResultChunk.decode(c).transitions.map((t) => `${t.envIndex}:${t.step}`))
      .flat();
    expect(chunksBefore).toEqual(['0:0', '1:0', '2:0', '3:0', '0:1']);
    for (const k of [2, 3, 4]) {
      const other = run(req, k, 1);
      expect(other.error).toBe(one.error);
      expect(Buffer.concat(other.chunks).equals(Buffer.concat(one.chunks))).toBe(true);
    }
  });
});

describe('RecordWriter', () => {
  const bytes = (max: number) => fc.uint8Array({ maxLength: max });
  const f32 = fc.float({ noNaN: true });
  it('writes Transitions and EpisodeSummaries exactly as the generated encoders (as SimResultChunk fields 1 and 2)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .record({
                envIndex: fc.nat(),
                episode: fc.nat(),
                step: fc.nat(),
                action: bytes(3),
                obs: bytes(300),
                reward: f32,
                done: fc.boolean(),
                state: bytes(70),
              })
              .map((t) => ({ kind: 't' as const, t })),
            fc
              .record({
                envIndex: fc.nat(),
                episode: fc.nat(),
                steps: fc.nat(),
                totalReward: f32,
                finished: fc.boolean(),
                finalObs: bytes(300),
              })
              .map((e) => ({ kind: 'e' as const, e })),
          ),
          { maxLength: 20 },
        ),
        (records) => {
          const w = new RecordWriter();
          const ref = SimResultChunk.fromPartial({});
          for (const r of records) {
            if (r.kind === 't') {
              w.transition(r.t);
              ref.transitions.push(r.t as Transition);
            } else {
              w.episode(r.e);
              ref.episodes.push(r.e as EpisodeSummary);
            }
          }
          // The generated encoder writes all transitions, then all episodes: compare per kind.
          const mine = SimResultChunk.decode(w.take());
          expect(SimResultChunk.encode(mine).finish()).toEqual(SimResultChunk.encode(ref).finish());
          const t = new RecordWriter();
          for (const r of records) if (r.kind === 't') t.transition(r.t);
          for (const r of records) if (r.kind === 'e') t.episode(r.e);
          expect(Buffer.from(t.take()).equals(Buffer.from(SimResultChunk.encode(ref).finish()))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
