// A unary lane's worker side: blocked in Atomics.wait until the main thread posts a request, then
// answers every request in the ring before waiting again. It never returns to the worker's event
// loop (nothing else arrives on it); terminate() still ends it, wait included.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { LaneRing, REQ, RESP, type LaneBig, type LaneMethod, type LaneReply } from './lane-ring';

export function serveLane(
  sab: SharedArrayBuffer,
  port: MessagePort,
  answer: (method: LaneMethod, req: Uint8Array, stream: number) => LaneReply,
): never {
  const ring = new LaneRing(sab);
  let n = 0;
  for (;;) {
    while (Atomics.load(ring.ctl, REQ) === n) Atomics.wait(ring.ctl, REQ, n);
    const { method, req, stream } = ring.readRequest(n);
    const bytes = req ?? (receiveMessageOnPort(port)?.message as Uint8Array | undefined) ?? new Uint8Array(0);
    const reply = answer(method, bytes, stream);
    if (!ring.writeReply(n, reply)) port.postMessage({ body: reply.body, envId: reply.envId } satisfies LaneBig);
    n = (n + 1) | 0;
    Atomics.store(ring.ctl, RESP, n);
    Atomics.notify(ring.ctl, RESP);
  }
}
