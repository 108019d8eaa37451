import type { MemoryLimiterSettings } from './collector-model.js';
import { child, isRaw, numeric, type Raw } from './collector-values.js';

/**
 * The smallest `memory_limiter` used by a pipeline, by the point where it starts refusing data: its
 * soft limit, `limit - spike_limit` (the spike defaulting to a fifth of the limit, as in the
 * processor). A processor with limit_mib ignores its percentages (as the processor does), so the
 * processors with limit_mib and those with only limit_percentage are compared apart: the one with
 * the smallest soft limit of each kind is returned, and the caller takes the smaller of the two.
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
  let byMib: { limit: number; spike?: number; soft: number } | undefined;
  let byPct: { limit: number; spike?: number; soft: number } | undefined;
  for (const id of used) {
    if (id.split('/')[0] !== 'memory_limiter') continue;
    const cfg = child(processors, id);
    const mib = numeric(child(cfg, 'limit_mib'));
    const pct = numeric(child(cfg, 'limit_percentage'));
    if (mib !== undefined && mib > 0) {
      const spike = positive(numeric(child(cfg, 'spike_limit_mib')));
      const soft = mib - (spike ?? mib / 5);
      if (byMib === undefined || soft < byMib.soft) byMib = { limit: mib, ...(spike !== undefined ? { spike } : {}), soft };
    } else if (pct !== undefined && pct > 0) {
      const spike = positive(numeric(child(cfg, 'spike_limit_percentage')));
      const soft = pct - (spike ?? pct / 5);
      if (byPct === undefined || soft < byPct.soft) byPct = { limit: pct, ...(spike !== undefined ? { spike } : {}), soft };
    }
  }
  if (byMib === undefined && byPct === undefined) return null;
  return {
    ...(byMib !== undefined ? { limitMib: byMib.limit } : {}),
    ...(byMib?.spike !== undefined ? { spikeLimitMib: byMib.spike } : {}),
    ...(byPct !== undefined ? { limitPercentage: byPct.limit } : {}),
    ...(byPct?.spike !== undefined ? { spikeLimitPercentage: byPct.spike } : {}),
  };
}

const positive = (v: number | undefined): number | undefined => (v !== undefined && v > 0 ? v : undefined);
