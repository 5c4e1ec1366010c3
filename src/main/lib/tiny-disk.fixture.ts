// A real, tiny filesystem for disk-full tests: a tmpfs mounted on a temporary folder, which a test
// fills to ENOSPC and frees again. Mounting needs root (CI runs as root); elsewhere `reason` says
// why the test cannot run. Test support only.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a tmpfs cannot be mounted here, or null when it can. */
export const tinyDiskUnavailable: string | null =
  process.platform !== 'linux'
    ? 'mounting a tmpfs needs Linux'
    : process.getuid?.() !== 0
      ? 'mounting a tmpfs needs root (CI runs the suite as root)'
      : null;

export class TinyDisk {
  readonly dir: string;
  private readonly filler: string;
  private mounted = false;

  constructor(sizeBytes: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'cr-tinydisk-'));
    this.filler = join(this.dir, '.filler');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', this.dir]);
    this.mounted = true;
  }

  /** Writes until the disk refuses (ENOSPC): from here on every write on it fails. */
  fill(): void {
    const fd = openSync(this.filler, 'a');
    const block = Buffer.alloc(4096, 0x78);
    try {
      for (let i = 0; i < 1_000_000; i++) writeSync(fd, block);
      throw new Error('the tiny disk never filled up');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      // Also the last bytes a whole block does not fit into: then even a one-byte append fails.
      for (let n = 2048; n >= 1; n = Math.floor(n / 2)) {
        try {
          for (let i = 0; i < 64; i++) writeSync(fd, block, 0, n);
        } catch {
          // full at this size: try a smaller one
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    rmSync(this.filler, { force: true });
  }

  /** Idempotent, so teardown can always call it. */
  unmount(): void {
    if (!this.mounted) return;
    this.mounted = false;
    execFileSync('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
