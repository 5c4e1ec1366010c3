// The renderer's one way to reach main: the preload bridge in Electron, a WebSocket in a browser.
// Both speak the same contract, so every component is identical in both.
import {
  ApiError,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type PushName,
  type PushPayload,
  type Result,
} from '../../../shared/api';
import { WebSocketTransport } from './ws';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ApiClient {
  readonly kind: 'ipc' | 'web';
  call<M extends MethodName>(
    method: M,
    ...payload: MethodInput<M> extends undefined ? [] : [MethodInput<M>]
  ): Promise<MethodOutput<M>>;
  on<P extends PushName>(name: P, listener: (payload: PushPayload<P>) => void): () => void;
  /** Called on every (re)connection, with 'open' when calls can flow. IPC is always open. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw ApiError.fromBody(r.error);
}

function ipcClient(bridge: NonNullable<Window['controlRoom']>): ApiClient {
  return {
    kind: 'ipc',
    async call(method, ...payload) {
      const fn = bridge.invoke[method] as (p: unknown) => Promise<Result<never>>;
      return unwrap(await fn(payload[0]));
    },
    on: (name, listener) => bridge.on(name, listener),
    onConnection(listener) {
      listener('open');
      return () => {};
    },
  };
}

function webClient(): ApiClient {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const t = new WebSocketTransport(url);
  return {
    kind: 'web',
    async call(method, ...payload) {
      return unwrap((await t.request(method, payload[0])) as Result<never>);
    },
    on: (name, listener) => t.subscribe(name, listener as (p: unknown) => void),
    onConnection: (listener) => t.onState(listener),
  };
}

let client: ApiClient | null = null;

export function api(): ApiClient {
  client ??= window.controlRoom ? ipcClient(window.controlRoom) : webClient();
  return client;
}
