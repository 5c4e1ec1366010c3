// `npm run bench [name]`: runs every bench/*.bench.{mjs,ts} in turn (TypeScript through tsx).
// Benchmarks print figures beside a ceiling measured in the same run; they never pass or fail on time.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
let failed = 0;
for (const f of readdirSync(here)
  .filter((n) => /\.bench\.(mjs|ts)$/.test(n))
  .sort()) {
  if (only && !f.includes(only)) continue;
  console.log(`\n## ${f}`);
  const args = f.endsWith('.ts') ? ['--import', 'tsx', '--expose-gc', join(here, f)] : [join(here, f)];
  failed += spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(here, '..') }).status === 0 ? 0 : 1;
}
process.exit(failed ? 1 : 0);
