import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: the first folder above this module with a package.json (from bench/ or dist/bench/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the bench');
    dir = up;
  }
  return dir;
}

/**
 * The program as it ships: the bundle `npm run build` writes (scripts/bundle.mjs), which the image
 * and `npm start` run. The bench measures it, not the unbundled modules under dist/src; so do the
 * tests that run a bench part from its TypeScript source.
 */
export const SHIPPED_BIN = join(repoRoot(), 'dist', 'bundle', 'otel-sentinel.js');

/**
 * The image starts the daemon as `node --liftoff-only` (Dockerfile); a bench run as
 * `node --liftoff-only dist/bench/run.js` starts its daemons the same way, so that it measures them.
 */
export const IMAGE_NODE_FLAGS: readonly string[] = process.execArgv.filter((a) => a === '--liftoff-only');
