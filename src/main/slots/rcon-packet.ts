// Source RCON framing, shared by our client and the tests' stand-in server: int32 LE size (of the
// rest) · int32 id · int32 type · body · NUL · NUL. The size is checked before it is used: a peer
// that sends a size outside 10..4096+10 is broken or hostile, and the connection must be dropped
// (a negative or zero size would otherwise stall the splitter, a huge one buffer without bound).

export const PacketType = { RESPONSE_VALUE: 0, EXECCOMMAND: 2, AUTH_RESPONSE: 2, AUTH: 3 } as const;

export interface Packet {
  id: number;
  type: number;
  body: string;
}

/** id + type + the two NUL terminators: the smallest legal size (an empty body). */
export const MIN_PACKET_SIZE = 10;
/** The largest body Source RCON allows in one packet, plus the header counted in the size. */
export const MAX_PACKET_SIZE = 4096 + MIN_PACKET_SIZE;

export class RconProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RconProtocolError';
  }
}

export function encodePacket(p: Packet): Buffer {
  const body = Buffer.from(p.body, 'utf8');
  const buf = Buffer.alloc(14 + body.length);
  buf.writeInt32LE(10 + body.length, 0);
  buf.writeInt32LE(p.id, 4);
  buf.writeInt32LE(p.type, 8);
  body.copy(buf, 12);
  return buf;
}

/**
 * Splits a byte stream into packets; returns the bytes of an unfinished one. Throws
 * RconProtocolError on a size outside the protocol's range, before waiting for or reading the body.
 */
export function decodePackets(buf: Buffer, onPacket: (p: Packet) => void): Buffer {
  let off = 0;
  while (buf.length - off >= 4) {
    const size = buf.readInt32LE(off);
    if (size < MIN_PACKET_SIZE || size > MAX_PACKET_SIZE)
      throw new RconProtocolError(`packet size ${size} is outside ${MIN_PACKET_SIZE}..${MAX_PACKET_SIZE}`);
    if (buf.length - off < 4 + size) break;
    onPacket({
      id: buf.readInt32LE(off + 4),
      type: buf.readInt32LE(off + 8),
      body: buf.toString('utf8', off + 12, off + 4 + size - 2),
    });
    off += 4 + size;
  }
  return buf.subarray(off);
}
