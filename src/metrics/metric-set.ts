import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FAMILIES, type FamilySpec } from './metric-families.js';
import { trackVersion } from './family-version.js';

type Families = typeof FAMILIES;
type Built<S extends FamilySpec> = S['type'] extends 'counter'
  ? Counter<string>
  : S['type'] extends 'histogram'
    ? Histogram<string>
    : Gauge<string>;

/** The prom-client objects of every family in FAMILIES, registered on one registry. */
export type MetricSet = { readonly [K in keyof Families]: Built<Families[K]> };

/**
 * Registers every family of FAMILIES on the registry. Families without labels start absent
 * (prom-client would show them as 0 before anything is known).
 */
export function buildMetricSet(registry: Registry): MetricSet {
  const out: Record<string, Gauge<string> | Counter<string> | Histogram<string>> = {};
  for (const [key, spec] of Object.entries(FAMILIES) as [string, FamilySpec][]) {
    const config = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [registry] };
    const metric =
      spec.type === 'counter'
        ? new Counter(config)
        : spec.type === 'histogram'
          ? new Histogram({ ...config, buckets: [...(spec.buckets ?? [])] })
          : new Gauge(config);
    if (spec.type === 'gauge' && spec.labelNames.length === 0) (metric as Gauge<string>).remove({});
    trackVersion(metric);
    out[key] = metric;
  }
  return out as unknown as MetricSet;
}
