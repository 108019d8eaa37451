import type { MemoryLimiterSettings } from '../config/collector-model.js';

export type MemoryLimitSource = 'cgroup' | 'memory_limiter' | 'host';

/** The memory limit that bites first, and where it comes from (the fix differs for each). */
export interface EffectiveMemoryLimit {
  readonly bytes: number;
  readonly source: MemoryLimitSource;
}

/**
 * The smallest of: the cgroup limit (the kernel OOM-kills past it), the memory_limiter's limit (the
 * collector refuses data past it) and host memory. The memory_limiter takes `limit_mib` when set,
 * else `limit_percentage` of the total it sees itself, which is the cgroup limit when there is one,
 * else host memory: the same rule the processor applies.
 */
export function effectiveMemoryLimit(
  cgroupBytes: number | null,
  limiter: MemoryLimiterSettings | null,
  hostBytes: number | null,
): EffectiveMemoryLimit | null {
  const candidates: EffectiveMemoryLimit[] = [];
  if (cgroupBytes !== null && cgroupBytes > 0) candidates.push({ bytes: cgroupBytes, source: 'cgroup' });
  if (limiter) {
    const total = cgroupBytes ?? hostBytes;
    if (limiter.limitMib !== undefined && limiter.limitMib > 0) {
      candidates.push({ bytes: limiter.limitMib * 1024 * 1024, source: 'memory_limiter' });
    } else if (limiter.limitPercentage !== undefined && limiter.limitPercentage > 0 && total !== null) {
      candidates.push({ bytes: Math.floor((total * limiter.limitPercentage) / 100), source: 'memory_limiter' });
    }
  }
  if (hostBytes !== null && hostBytes > 0) candidates.push({ bytes: hostBytes, source: 'host' });
  let best: EffectiveMemoryLimit | null = null;
  for (const c of candidates) if (best === null || c.bytes < best.bytes) best = c;
  return best;
}
