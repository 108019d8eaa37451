import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository: the nearest folder above this file with scripts/build-otelcol.mjs (also from dist/) */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'build-otelcol.mjs'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('scripts/build-otelcol.mjs not found above the test helpers');
    dir = up;
  }
  return dir;
}
let cached: string | undefined;

/**
 * The path of the real collector binary (`otelcol`), built from test/otelcol by
 * scripts/build-otelcol.mjs. `pretest` builds it; a test file run alone builds it here when its
 * sources changed (a no-op otherwise), so `npx tap test/...` works without `npm test`.
 */
export function otelcolBinary(): string {
  if (cached !== undefined) return cached;
  const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build-otelcol.mjs'), '--quiet'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cached = out.trim();
  return cached;
}
