import { fileURLToPath } from 'node:url';

/**
 * The program as it ships: the bundle `npm run build` writes (scripts/bundle.mjs), which the image
 * and `npm start` run. The bench measures it, not the unbundled modules under dist/src.
 */
export const SHIPPED_BIN = fileURLToPath(new URL('../bundle/otel-sentinel.js', import.meta.url));
