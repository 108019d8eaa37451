/** Order statistics over a list of figures; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  // linear interpolation between closest ranks, as numpy's default
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** One cumulative histogram bucket: count of observations <= le. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * A quantile from cumulative buckets, interpolated linearly inside the bucket that holds it (what
 * PromQL's histogram_quantile does). NaN without observations.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  const total = b[b.length - 1]?.count ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of b) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
