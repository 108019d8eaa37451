import type { Sample } from './prometheus-text.js';

/**
 * The collector's real traffic, read from its internal metrics: what each exporter sent, failed to
 * send (by `error_type` and `error_permanent` at `service.telemetry.metrics.level: detailed`),
 * failed to enqueue and holds in flight, and what the receivers accepted and the receivers or the
 * memory limiter refused. Counters are summed over signals (spans, metric points, log records) and
 * over the labels that do not matter here (scope, instance, transport, endpoint).
 */

const SIGNALS = ['spans', 'metric_points', 'log_records'] as const;

/** One exporter's counters at one scrape (items), and its in-flight gauge. */
export interface ExporterTrafficCounters {
  sent: number | null;
  failed: number | null;
  enqueueFailed: number | null;
  /** `${error_type}\u0000${error_permanent}` -> failed items; only series that carry error_type */
  readonly failedBy: Map<string, number>;
  /** requests in flight (otelcol_exporter_in_flight_requests, recent collectors); null when absent */
  inFlight: number | null;
  /** items in the exporter's sending queues, all data types; null when it has no queue metrics */
  queued: number | null;
}

/** The collector-wide counters at one scrape (items). */
export interface PipelineCounters {
  accepted: number | null;
  refused: number | null;
  /** refused by the memory limiter processor (both spellings of the family) */
  limiterRefused: number | null;
}

export interface TrafficCounters {
  readonly exporters: Map<string, ExporterTrafficCounters>;
  readonly pipeline: PipelineCounters;
}

type ExporterKey = 'sent' | 'failed' | 'enqueueFailed';
type PipelineKey = 'accepted' | 'refused' | 'limiterRefused';

/** counter family (no `_total`, no unit suffix) -> what it adds to */
const FAMILIES = new Map<string, { scope: 'exporter'; key: ExporterKey } | { scope: 'pipeline'; key: PipelineKey }>();
for (const s of SIGNALS) {
  FAMILIES.set(`otelcol_exporter_sent_${s}`, { scope: 'exporter', key: 'sent' });
  FAMILIES.set(`otelcol_exporter_send_failed_${s}`, { scope: 'exporter', key: 'failed' });
  FAMILIES.set(`otelcol_exporter_enqueue_failed_${s}`, { scope: 'exporter', key: 'enqueueFailed' });
  FAMILIES.set(`otelcol_receiver_accepted_${s}`, { scope: 'pipeline', key: 'accepted' });
  FAMILIES.set(`otelcol_receiver_refused_${s}`, { scope: 'pipeline', key: 'refused' });
  FAMILIES.set(`otelcol_processor_memory_limiter_refused_${s}`, { scope: 'pipeline', key: 'limiterRefused' });
  // older collectors: one family for every processor, the memory limiter told by the `processor` label
  FAMILIES.set(`otelcol_processor_refused_${s}`, { scope: 'pipeline', key: 'limiterRefused' });
}

/** A name without `_total` and without a unit suffix a Prometheus reader may add. */
export function familyOf(name: string): string {
  let n = name.endsWith('_total') ? name.slice(0, -6) : name;
  if (n.endsWith('_ratio')) n = n.slice(0, -6);
  return n;
}

const IN_FLIGHT = 'otelcol_exporter_in_flight_requests';
const QUEUE_SIZE = 'otelcol_exporter_queue_size';

/** At most this many error kinds are kept per exporter (label values come from outside). */
export const MAX_ERROR_KINDS = 16;

/**
 * Reads the traffic counters of a scrape. A family that appears under two spellings (with and
 * without `_total` or a unit suffix) is read under one of them only, so nothing counts twice.
 */
export function trafficCounters(samples: readonly Sample[]): TrafficCounters {
  const spelling = new Map<string, string>();
  for (const s of samples) {
    const fam = familyOf(s.name);
    if (!FAMILIES.has(fam) && fam !== IN_FLIGHT) continue;
    const had = spelling.get(fam);
    // the longest spelling wins (`_total` and unit suffixes are what newer readers add)
    if (had === undefined || s.name.length > had.length) spelling.set(fam, s.name);
  }
  const exporters = new Map<string, ExporterTrafficCounters>();
  const pipeline: PipelineCounters = { accepted: null, refused: null, limiterRefused: null };
  const get = (name: string): ExporterTrafficCounters => {
    let c = exporters.get(name);
    if (!c) {
      c = { sent: null, failed: null, enqueueFailed: null, failedBy: new Map(), inFlight: null, queued: null };
      exporters.set(name, c);
    }
    return c;
  };
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    if (s.name === QUEUE_SIZE) {
      const ex = s.labels['exporter'];
      if (ex !== undefined) get(ex).queued = (get(ex).queued ?? 0) + s.value;
      continue;
    }
    const fam = familyOf(s.name);
    if (spelling.get(fam) !== s.name) continue;
    if (fam === IN_FLIGHT) {
      const ex = s.labels['exporter'];
      if (ex !== undefined) get(ex).inFlight = (get(ex).inFlight ?? 0) + s.value;
      continue;
    }
    const f = FAMILIES.get(fam);
    if (!f) continue;
    if (f.scope === 'pipeline') {
      if (fam.startsWith('otelcol_processor_refused_') && s.labels['processor'] !== undefined && !/memory_limiter/.test(s.labels['processor'])) continue;
      pipeline[f.key] = (pipeline[f.key] ?? 0) + s.value;
      continue;
    }
    const ex = s.labels['exporter'];
    if (ex === undefined) continue;
    const c = get(ex);
    c[f.key] = (c[f.key] ?? 0) + s.value;
    const type = s.labels['error_type'];
    if (f.key === 'failed' && type !== undefined) {
      const k = `${type}\u0000${s.labels['error_permanent'] ?? ''}`;
      if (c.failedBy.has(k) || c.failedBy.size < MAX_ERROR_KINDS) c.failedBy.set(k, (c.failedBy.get(k) ?? 0) + s.value);
    }
  }
  return { exporters, pipeline };
}

/** One kind of send failure and its rate. */
export interface ErrorRate {
  /** the collector's `error_type`: a gRPC status name (Unauthenticated, ResourceExhausted, ...), Deadline_Exceeded, _OTHER */
  readonly error_type: string;
  /** `error_permanent`: true means dropped without retry; null when the label is absent */
  readonly permanent: boolean | null;
  readonly per_second: number;
}

/**
 * One exporter's real traffic between the last two scrapes, per second (items: spans, metric
 * points, log records); null where a figure is not on the page or this is the first scrape.
 */
export interface TrafficReport {
  sent_per_second: number | null;
  failed_per_second: number | null;
  enqueue_failed_per_second: number | null;
  /** data being dropped now: enqueue failures plus failed sends (counted once retries are over) */
  lost_per_second: number | null;
  /** failures by kind, worst first; empty below `service.telemetry.metrics.level: detailed` */
  error_types: ErrorRate[];
  /** requests the exporter has in flight now; null when the collector does not report it */
  in_flight: number | null;
}

/** The pipeline-wide rates between the last two scrapes (items per second). */
export interface PipelineRates {
  accepted: number | null;
  refused: number | null;
  limiterRefused: number | null;
}

export interface TrafficView {
  readonly report: TrafficReport;
  /** the exporter's queues held more items than at the previous scrape */
  readonly queueGrew: boolean;
  /** failures were counted but none carried error_type (the level is below detailed) */
  readonly untyped: boolean;
  /**
   * the run of quiet windows that ends with this scrape (see QuietRun), null when this window was
   * not quiet; diagnose/ decides when a run is long enough to be a stall
   */
  readonly quiet: QuietRun | null;
}

/**
 * A window between two scrapes is quiet for an exporter when the receivers accepted data, the
 * exporter sent nothing and counted no failure, and it held requests in flight or its queue grew.
 * A run counts such windows back to back: how many, and the seconds since the scrape before the
 * first of them.
 */
export interface QuietRun {
  readonly windows: number;
  readonly seconds: number;
  /** the sending queue grew in every window of the run: data arrives and no consumer takes it */
  readonly queueGrewThroughout: boolean;
}

/**
 * The previous scrape's counters, to turn the next into rates. Lifecycle: one per scraper;
 * `observe()` once per scrape; exporters not passed in are forgotten, so it holds at most one
 * entry per configured exporter (and at most MAX_ERROR_KINDS error kinds each).
 */
export class TrafficWindow {
  private prev: { t: number; counters: TrafficCounters } | null = null;
  /** exporter -> when its run of quiet windows began (the scrape before the first) and how many */
  private readonly quiet = new Map<string, { since: number; windows: number; queueGrewThroughout: boolean }>();

  observe(t: number, names: readonly string[], counters: TrafficCounters): { exporters: Map<string, TrafficView>; pipeline: PipelineRates } {
    const prev = this.prev;
    const keep = new Set(names);
    const kept = new Map<string, ExporterTrafficCounters>();
    for (const [k, v] of counters.exporters) if (keep.has(k)) kept.set(k, v);
    this.prev = { t, counters: { exporters: kept, pipeline: counters.pipeline } };
    const dt = prev ? (t - prev.t) / 1000 : 0;
    const rate = (a: number | null | undefined, b: number | null | undefined): number | null => {
      if (!prev || !(dt > 0) || b === null || b === undefined) return null;
      // the collector creates a counter's series at its first increase: absent before, it was 0
      const was = a ?? 0;
      return (b >= was ? b - was : b) / dt; // a counter below its last value: the collector restarted
    };
    const pipeline: PipelineRates = {
      accepted: rate(prev?.counters.pipeline.accepted, counters.pipeline.accepted),
      refused: rate(prev?.counters.pipeline.refused, counters.pipeline.refused),
      limiterRefused: rate(prev?.counters.pipeline.limiterRefused, counters.pipeline.limiterRefused),
    };
    const out = new Map<string, TrafficView>();
    for (const name of keep) {
      const cur = kept.get(name);
      const old = prev?.counters.exporters.get(name);
      // an exporter on the page whose counter has no series yet has counted nothing so far
      const zero = (v: number | null | undefined): number | null => (cur ? (v ?? 0) : null);
      const sent = rate(old?.sent, zero(cur?.sent));
      const failed = rate(old?.failed, zero(cur?.failed));
      const enq = rate(old?.enqueueFailed, zero(cur?.enqueueFailed));
      const types: ErrorRate[] = [];
      for (const [k, v] of cur?.failedBy ?? []) {
        const r = rate(old?.failedBy.get(k), v);
        if (r === null || !(r > 0)) continue;
        const [type, perm] = k.split('\u0000') as [string, string];
        types.push({ error_type: type, permanent: perm === 'true' ? true : perm === 'false' ? false : null, per_second: r });
      }
      types.sort((a, b) => b.per_second - a.per_second);
      const lost = enq === null && failed === null ? null : (enq ?? 0) + (failed ?? 0);
      const queueGrew = old?.queued != null && cur?.queued != null && cur.queued > old.queued;
      const quiet = this.quietRun(name, t, prev?.t, sent === 0 && failed === 0 && (pipeline.accepted ?? 0) > 0 && ((cur?.inFlight ?? 0) > 0 || queueGrew), queueGrew);
      out.set(name, {
        report: {
          sent_per_second: sent,
          failed_per_second: failed,
          enqueue_failed_per_second: enq,
          lost_per_second: lost,
          error_types: types,
          in_flight: cur?.inFlight ?? null,
        },
        queueGrew,
        untyped: failed !== null && failed > 0 && types.length === 0,
        quiet,
      });
    }
    for (const name of this.quiet.keys()) if (!keep.has(name)) this.quiet.delete(name);
    return { exporters: out, pipeline };
  }

  /** counts the run of quiet windows of an exporter */
  private quietRun(name: string, t: number, prevT: number | undefined, quiet: boolean, queueGrew: boolean): QuietRun | null {
    if (!quiet || prevT === undefined) {
      this.quiet.delete(name);
      return null;
    }
    const run = this.quiet.get(name) ?? { since: prevT, windows: 0, queueGrewThroughout: true };
    run.windows++;
    run.queueGrewThroughout &&= queueGrew;
    this.quiet.set(name, run);
    return { windows: run.windows, seconds: (t - run.since) / 1000, queueGrewThroughout: run.queueGrewThroughout };
  }

}

/** The collector's real traffic through an exporter in one line, beside the probe's verdict. */
export function trafficText(t: TrafficReport): string {
  const r = (v: number | null): string => (v === null ? '?' : `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}/s`);
  const parts = [`sent ${r(t.sent_per_second)}`, `failed ${r(t.failed_per_second)}`];
  if (t.error_types.length > 0) {
    parts.push(t.error_types.map((e) => `${e.error_type}${e.permanent === true ? ' (permanent)' : ''} ${r(e.per_second)}`).join(', '));
  }
  if ((t.lost_per_second ?? 0) > 0) parts.push(`lost ${r(t.lost_per_second)}`);
  if (t.in_flight !== null) parts.push(`${t.in_flight} in flight`);
  return parts.join(' · ');
}
