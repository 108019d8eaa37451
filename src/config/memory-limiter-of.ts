import type { MemoryLimiterSettings } from './collector-model.js';
import { child, isRaw, numeric, type Raw } from './collector-values.js';

/**
 * The smallest `memory_limiter` used by a pipeline. A processor with limit_mib ignores its
 * limit_percentage (as the processor does), so the effective limit is
 * min(smallest limit_mib, smallest percentage-only limit × total): both minima are returned.
 */
export function memoryLimiterOf(collector: Raw): MemoryLimiterSettings | null {
  const processors = child(collector, 'processors');
  const pipelines = child(child(collector, 'service'), 'pipelines');
  if (!isRaw(pipelines)) return null;
  const used = new Set<string>();
  for (const p of Object.values(pipelines)) {
    const list = child(p, 'processors');
    if (Array.isArray(list)) for (const id of list) if (typeof id === 'string') used.add(id);
  }
  let limitMib: number | undefined;
  let limitPercentage: number | undefined;
  for (const id of used) {
    if (id.split('/')[0] !== 'memory_limiter') continue;
    const cfg = child(processors, id);
    const mib = numeric(child(cfg, 'limit_mib'));
    const pct = numeric(child(cfg, 'limit_percentage'));
    if (mib !== undefined && mib > 0) limitMib = Math.min(limitMib ?? Infinity, mib);
    else if (pct !== undefined && pct > 0) limitPercentage = Math.min(limitPercentage ?? Infinity, pct);
  }
  if (limitMib === undefined && limitPercentage === undefined) return null;
  return {
    ...(limitMib !== undefined ? { limitMib } : {}),
    ...(limitPercentage !== undefined ? { limitPercentage } : {}),
  };
}
