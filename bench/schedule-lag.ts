import type { Sample } from '../src/collector/prometheus-text.js';
import type { Bucket } from './stats.js';

export const LAG_FAMILY = 'otel_sentinel_probe_schedule_lag_seconds';

/** The cumulative buckets of the schedule lag histogram in one scrape. */
export function lagBuckets(samples: readonly Sample[]): Bucket[] {
  return samples
    .filter((s) => s.name === `${LAG_FAMILY}_bucket`)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }));
}

/** Observations between two scrapes of the same histogram, bucket by bucket. */
export function bucketDelta(before: readonly Bucket[], after: readonly Bucket[]): Bucket[] {
  const start = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => ({ le: b.le, count: b.count - (start.get(b.le) ?? 0) }));
}
