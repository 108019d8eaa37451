import type { Sample } from './prometheus-text.js';

/** One sending queue of an exporter: the collector keeps one per data type (traces, metrics, logs). */
export interface QueueGauge {
  size: number | null;
  capacity: number | null;
}

/** What the collector's internal metrics say about one exporter, summed over scope/instance labels. */
export interface ExporterStats {
  /** data_type ('' when the label is absent) -> queue */
  readonly queues: Map<string, QueueGauge>;
  /** items (spans + metric points + log records) sent, failed to send, failed to enqueue; counters */
  sent: number | null;
  sendFailed: number | null;
  enqueueFailed: number | null;
}

const SIGNALS = ['spans', 'metric_points', 'log_records'] as const;
const COUNTERS = { sent: 'otelcol_exporter_sent_', sendFailed: 'otelcol_exporter_send_failed_', enqueueFailed: 'otelcol_exporter_enqueue_failed_' } as const;
type CounterKey = keyof typeof COUNTERS;

/** counter family name (without `_total`) -> which sum it belongs to */
const COUNTER_FAMILIES = new Map<string, CounterKey>(
  (Object.keys(COUNTERS) as CounterKey[]).flatMap((k) => SIGNALS.map((s) => [`${COUNTERS[k]}${s}`, k] as const)),
);

/**
 * Groups the exporter metrics of a scrape by the `exporter` label. Counters are read with or without
 * the `_total` suffix (it depends on the collector version and on text vs OpenMetrics); should a page
 * carry both spellings of one family, only the `_total` one is used so that nothing is counted twice.
 * Series that differ only in other labels (otel_scope_*, service_instance_id, ...) are summed.
 */
export function exporterStats(samples: readonly Sample[]): Map<string, ExporterStats> {
  const withTotal = new Set<string>();
  for (const s of samples) {
    if (s.name.endsWith('_total') && COUNTER_FAMILIES.has(s.name.slice(0, -6))) withTotal.add(s.name.slice(0, -6));
  }
  const out = new Map<string, ExporterStats>();
  const get = (name: string): ExporterStats => {
    let st = out.get(name);
    if (!st) {
      st = { queues: new Map(), sent: null, sendFailed: null, enqueueFailed: null };
      out.set(name, st);
    }
    return st;
  };
  for (const s of samples) {
    const exporter = s.labels['exporter'];
    if (exporter === undefined || !Number.isFinite(s.value)) continue;
    if (s.name === 'otelcol_exporter_queue_size' || s.name === 'otelcol_exporter_queue_capacity') {
      const st = get(exporter);
      const dt = s.labels['data_type'] ?? '';
      const q = st.queues.get(dt) ?? { size: null, capacity: null };
      if (s.name === 'otelcol_exporter_queue_size') q.size = (q.size ?? 0) + s.value;
      else q.capacity = (q.capacity ?? 0) + s.value;
      st.queues.set(dt, q);
      continue;
    }
    const total = s.name.endsWith('_total');
    const family = total ? s.name.slice(0, -6) : s.name;
    const key = COUNTER_FAMILIES.get(family);
    if (key === undefined || (!total && withTotal.has(family))) continue;
    const st = get(exporter);
    st[key] = (st[key] ?? 0) + s.value;
  }
  return out;
}
