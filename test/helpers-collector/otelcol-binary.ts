import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let cached: string | undefined;

/**
 * The path of the real collector binary (`otelcol`), built from test/otelcol by
 * scripts/build-otelcol.mjs. `pretest` builds it; a test file run alone builds it here when its
 * sources changed (a no-op otherwise), so `npx tap test/...` works without `npm test`.
 */
export function otelcolBinary(): string {
  if (cached !== undefined) return cached;
  const out = execFileSync(process.execPath, [join(root, 'scripts', 'build-otelcol.mjs'), '--quiet'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cached = out.trim();
  return cached;
}
