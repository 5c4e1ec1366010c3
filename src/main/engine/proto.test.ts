// The committed generated code must be what `npm run proto` makes from the .proto today.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipTitle, toolSkipReason } from '../../../scripts/system-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const noProtoc = toolSkipReason('protoc');
// The header names the protoc version that ran; any protoc 3.x/2x makes the same code otherwise.
const body = (s: string) => s.replace(/^\/\/ {3}protoc .*$/m, '');

describe('generated engine code', () => {
  it.skipIf(noProtoc)(
    skipTitle('matches a fresh run of scripts/proto.mjs (no drift from proto/engine/v1/engine.proto)', noProtoc),
    () => {
      const out = mkdtempSync(join(tmpdir(), 'engine-proto-'));
      try {
        execFileSync(process.execPath, [join(root, 'scripts/proto.mjs'), '--out', out], { stdio: 'pipe' });
        for (const f of ['engine/v1/engine.ts', 'engine/v1/descriptor.ts']) {
          expect(body(readFileSync(join(out, f), 'utf8')), f).toBe(
            body(readFileSync(join(root, 'src/main/engine/gen', f), 'utf8')),
          );
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
