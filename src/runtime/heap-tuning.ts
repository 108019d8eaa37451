import { setFlagsFromString } from 'node:v8';

/**
 * How the daemon sizes its heap. V8's defaults suit a burst of work: the young generation grows
 * to 16 MB a semi-space under load, and the old generation may reach several times its live size
 * before a full collection. The daemon runs for months with a small live set (about 40 MB at
 * 1,000 exporters) and replaces each exporter's last result every interval; with the defaults its
 * RSS climbs far above what it uses before V8 collects. These two keep the heap near its live
 * size: at 1,000 exporters the peak RSS drops from about 215 MB to about 130 MB at no CPU cost the
 * benchmark can tell (docs/performance.md). Both are read each time V8 sizes the heap, so setting
 * them at start takes effect.
 */
export const HEAP_FLAGS: readonly string[] = [
  // a full collection once the old generation is 1.5 times its live size, not up to 4 times
  '--heap-growing-percent=50',
  // the young generation keeps its starting size: what outlives it is promoted and collected
  '--semi-space-growth-factor=1',
];

/** V8 options that mean someone sized the heap by hand: then the daemon leaves it alone. */
const OWN_HEAP_OPTIONS = /--(?:heap-growing-percent|semi-space-growth-factor|max-semi-space-size|min-semi-space-size|optimize-for-size)\b/;

/**
 * Applies HEAP_FLAGS unless the process was started with heap options of its own (on the command
 * line or in NODE_OPTIONS). Returns whether it applied them.
 */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  if (OWN_HEAP_OPTIONS.test([...execArgv, nodeOptions].join(' ').replace(/_/g, '-'))) return false;
  setFlagsFromString(HEAP_FLAGS.join(' '));
  return true;
}
