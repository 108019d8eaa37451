import type { MemoryLimiterSettings } from '../config/collector-model.js';

export type MemoryLimitSource = 'cgroup' | 'memory_limiter' | 'host';

/** The memory limit that bites first, and where it comes from (the fix differs for each). */
export interface EffectiveMemoryLimit {
  readonly bytes: number;
  readonly source: MemoryLimitSource;
  /**
   * memory_limiter only: its hard limit (`limit_mib`, or `limit_percentage` of the total) and its
   * spike margin; `bytes` is then the soft limit, hard minus spike, where it starts refusing data
   */
  readonly limiter?: { readonly hardBytes: number; readonly spikeBytes: number };
}

const MIB = 1024 * 1024;

/** The processor's soft limit: refusing starts at limit - spike; no spike set means a fifth of the limit. */
function limiterLimit(hardBytes: number, spikeBytes: number): EffectiveMemoryLimit {
  const spike = spikeBytes > 0 && spikeBytes < hardBytes ? spikeBytes : Math.floor(hardBytes / 5);
  return { bytes: hardBytes - spike, source: 'memory_limiter', limiter: { hardBytes, spikeBytes: spike } };
}

/**
 * The smallest of: the cgroup limit (the kernel OOM-kills past it), the memory_limiter's soft limit
 * (the collector refuses data past it: `limit - spike_limit`, as the processor computes it) and host
 * memory. The memory_limiter takes `limit_mib` when set, else `limit_percentage` of the total it sees
 * itself, which is the cgroup limit when there is one, else host memory: the same rule the processor
 * applies. The processor measures its Go heap, which stays below the resident memory compared here,
 * so a warning on RSS comes before the processor refuses.
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
      candidates.push(limiterLimit(limiter.limitMib * MIB, (limiter.spikeLimitMib ?? 0) * MIB));
    }
    if (limiter.limitPercentage !== undefined && limiter.limitPercentage > 0 && total !== null) {
      candidates.push(limiterLimit(Math.floor((total * limiter.limitPercentage) / 100), Math.floor((total * (limiter.spikeLimitPercentage ?? 0)) / 100)));
    }
  }
  if (hostBytes !== null && hostBytes > 0) candidates.push({ bytes: hostBytes, source: 'host' });
  let best: EffectiveMemoryLimit | null = null;
  for (const c of candidates) if (best === null || c.bytes < best.bytes) best = c;
  return best;
}
