// WebSocket adapter for headless mode: request/response by id, pushes by name, and reconnection
// with capped backoff (calls made while disconnected wait for the next connection).
import type { ClientFrame, PushName, Result, ServerFrame } from '../../../shared/api';
import type { ConnectionState } from './client';

interface Waiting {
  resolve: (r: Result<unknown>) => void;
}

export class WebSocketTransport {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly unsent: ClientFrame[] = [];
  private readonly listeners = new Map<PushName, Set<(p: unknown) => void>>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private retryMs = 250;

  constructor(private readonly url: string) {
    this.connect();
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private connect(): void {
    this.setState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      for (const f of this.unsent.splice(0)) ws.send(JSON.stringify(f));
      this.setState('open');
    };
    ws.onmessage = (ev) => {
      const frame = JSON.parse(String(ev.data)) as ServerFrame;
      if ('push' in frame) {
        for (const l of this.listeners.get(frame.push) ?? []) l(frame.payload);
        return;
      }
      const w = this.waiting.get(frame.id);
      this.waiting.delete(frame.id);
      w?.resolve(frame.result);
    };
    ws.onclose = () => {
      this.ws = null;
      // Calls in flight on a dead socket have no answer coming: fail them, do not hang.
      for (const [id, w] of this.waiting) {
        w.resolve({
          ok: false,
          error: { code: 'unavailable', message: 'connection to the Control Room server was lost' },
        });
        this.waiting.delete(id);
      }
      this.setState('closed');
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  request(method: string, payload: unknown): Promise<Result<unknown>> {
    const frame: ClientFrame = { id: this.nextId++, method, payload };
    return new Promise((resolve) => {
      this.waiting.set(frame.id, { resolve });
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
      else this.unsent.push(frame);
    });
  }

  subscribe(name: PushName, listener: (p: unknown) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }
}
