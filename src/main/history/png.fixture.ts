// Writes small PNG files for tests, shaped like the game's item icons (a mipmapped strip: squares of
// `size`, size/2, … side by side, upper edges aligned), so no image of the game is needed. Written by
// hand with node:zlib: no PNG library is a dependency, and encoding flat colours is this short.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG of `width` x `height` whose pixel colour is `colour(x, y)` ([r, g, b, a]). */
export function png(
  width: number,
  height: number,
  colour: (x: number, y: number) => [number, number, number, number],
): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 4);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(colour(x, y), row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * An icon strip like the game's: `levels` squares (size, size/2, …) side by side, the full-size
 * one in `first`, the smaller ones in `rest`, transparent below the smaller squares.
 */
export function iconStrip(
  size: number,
  levels: number,
  first: [number, number, number],
  rest: [number, number, number],
): Buffer {
  let width = 0;
  for (let l = 0; l < levels; l++) width += size >> l;
  return png(width, size, (x, y) => {
    if (x < size) return [...first, 255];
    let left = size;
    for (let l = 1; l < levels; l++) {
      const s = size >> l;
      if (x < left + s) return y < s ? [...rest, 255] : [0, 0, 0, 0];
      left += s;
    }
    return [0, 0, 0, 0];
  });
}
