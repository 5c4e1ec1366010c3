// The engine service's wire layer: how grpc-js sees the Engine service (raw bytes in and out for
// the methods workers answer, a tolerant decoder for the rest), how an EngineError becomes a gRPC
// status with a bounded message, and the Capabilities a game's info turns into.
import { status, type ServiceDefinition } from '@grpc/grpc-js';
import { specsOf, type EngineError, type GameInfo } from './game';
import { Capabilities, EngineId, EngineService } from './gen/engine/v1/engine';

/** Longest status message sent; HTTP/2 carries it in a trailer. */
const MAX_DETAILS = 1024;

const identity = (b: Buffer): Buffer => b;

/** Marks a request that did not parse; grpc-js would answer INTERNAL, the handler says INVALID_ARGUMENT. */
export interface Malformed {
  malformed: string;
}
export const isMalformed = (r: object): r is Malformed => 'malformed' in r;

function tolerant<T>(name: string, decode: (b: Uint8Array) => T): (b: Buffer) => T | Malformed {
  return (b) => {
    try {
      return decode(b);
    } catch (e) {
      return { malformed: `request is not a valid ${name}: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}

// Reset, Step and BatchSimulate requests reach the handlers as raw bytes (workers decode them);
// responses and chunks come back from the workers encoded and go to grpc-js as they are.
export const SERVICE = {
  getCapabilities: {
    ...EngineService.getCapabilities,
    requestDeserialize: tolerant('engine.v1.EngineId', (b) => EngineId.decode(b)),
  },
  reset: { ...EngineService.reset, requestDeserialize: identity, responseSerialize: identity },
  step: { ...EngineService.step, requestDeserialize: identity, responseSerialize: identity },
  batchSimulate: { ...EngineService.batchSimulate, requestDeserialize: identity, responseSerialize: identity },
  listGames: EngineService.listGames,
  simulate: { ...EngineService.simulate, requestDeserialize: identity, responseSerialize: identity },
} as unknown as ServiceDefinition;

export const CODES: Record<EngineError['code'] | 'internal', status> = {
  not_found: status.NOT_FOUND,
  invalid_argument: status.INVALID_ARGUMENT,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  internal: status.INTERNAL,
};

export const clip = (s: string) =>
  s.length > MAX_DETAILS ? `${s.slice(0, MAX_DETAILS)}… (${s.length} characters in all)` : s;

export function capabilitiesOf(info: GameInfo, buildId: string): Capabilities {
  const space = info.actionSpace;
  return {
    id: { envId: info.envId, buildId },
    encoding: { ...info.encoding },
    maxHorizon: info.maxHorizon,
    discrete: space.kind === 'discrete' ? { n: space.n } : undefined,
    multiDiscrete: space.kind === 'multi_discrete' ? { nvec: space.nvec } : undefined,
    box: space.kind === 'box' ? { shape: space.shape, low: space.low, high: space.high } : undefined,
    preferredBatch: info.preferredBatch,
    obsBytes: info.obsBytes,
    description: info.description,
    ...specFields(info),
  };
}

/** The specs Capabilities gained after v1's first fields (typed clients read these). */
function specFields(info: GameInfo): Pick<Capabilities, 'observation' | 'numPlayers' | 'reward' | 'maxEpisodeSteps'> {
  const s = specsOf(info);
  return {
    observation: { ...s.observation, slices: s.observation.slices.map((x) => ({ ...x })) },
    numPlayers: s.numPlayers,
    reward: { ...s.reward },
    maxEpisodeSteps: s.maxEpisodeSteps,
  };
}
