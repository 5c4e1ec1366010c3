// Exposes exactly the contract as window.controlRoom: one function per method, plus `on` for pushes.
// No generic ipcRenderer reaches the page. Built as CommonJS because sandboxed preloads must be.
import { contextBridge, ipcRenderer } from 'electron';
import {
  INVOKE_CHANNEL,
  METHOD_NAMES,
  PUSH_CHANNEL,
  PUSH_NAMES,
  type MethodInput,
  type MethodName,
  type PushName,
  type PushPayload,
  type Result,
  type MethodOutput,
} from '../shared/api';

type Invokers = { [M in MethodName]: (payload: MethodInput<M>) => Promise<Result<MethodOutput<M>>> };

const invoke = Object.fromEntries(
  METHOD_NAMES.map((m) => [m, (payload: unknown) => ipcRenderer.invoke(INVOKE_CHANNEL, m, payload)]),
) as Invokers;

const bridge = {
  invoke,
  /** Subscribes to a push; returns the unsubscribe function. */
  on<P extends PushName>(name: P, listener: (payload: PushPayload<P>) => void): () => void {
    if (!PUSH_NAMES.includes(name)) throw new Error(`unknown push ${String(name)}`);
    const wrapped = (_event: Electron.IpcRendererEvent, pushName: string, payload: unknown) => {
      if (pushName === name) listener(payload as PushPayload<P>);
    };
    ipcRenderer.on(PUSH_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, wrapped);
    };
  },
};

export type ControlRoomBridge = typeof bridge;

contextBridge.exposeInMainWorld('controlRoom', bridge);
