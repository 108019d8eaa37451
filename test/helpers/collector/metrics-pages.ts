/**
 * Reads the two /metrics pages side by side: the collector's own internal metrics (the oracle) and
 * otel-sentinel's. Deliberately a separate, small parser from the one in src/: the oracle must
 * not share the code under test.
 */
export interface PageSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePage(text: string): PageSample[] {
  const out: PageSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** What the collector says about one exporter: its counters (in items: spans here) and queue. */
export interface CollectorExporterView {
  sent: number;
  sendFailed: number;
  enqueueFailed: number;
  queueSize: number | null;
  queueCapacity: number | null;
}

const family = (name: string, prefix: string): boolean => name.startsWith(prefix) && /^[a-z_]+$/.test(name.slice(prefix.length));

/**
 * The collector's exporter metrics by exporter ID, summed over every other label and over the
 * signal families (spans, metric_points, log_records), whichever way the reader names them
 * (`otelcol_exporter_sent_spans` or `otelcol_exporter_sent_spans_total`).
 */
export function collectorView(text: string): Map<string, CollectorExporterView> {
  const out = new Map<string, CollectorExporterView>();
  for (const s of parsePage(text)) {
    const id = s.labels['exporter'];
    if (id === undefined) continue;
    let v = out.get(id);
    if (!v) {
      v = { sent: 0, sendFailed: 0, enqueueFailed: 0, queueSize: null, queueCapacity: null };
      out.set(id, v);
    }
    if (family(s.name, 'otelcol_exporter_sent_')) v.sent += s.value;
    else if (family(s.name, 'otelcol_exporter_send_failed_')) v.sendFailed += s.value;
    else if (family(s.name, 'otelcol_exporter_enqueue_failed_')) v.enqueueFailed += s.value;
    else if (s.name.startsWith('otelcol_exporter_queue_size')) v.queueSize = (v.queueSize ?? 0) + s.value;
    else if (s.name.startsWith('otelcol_exporter_queue_capacity')) v.queueCapacity = (v.queueCapacity ?? 0) + s.value;
  }
  return out;
}

/** What otel-sentinel says about one exporter on its /metrics. */
export interface SentinelExporterView {
  up: boolean | null;
  /** causes whose otel_sentinel_exporter_cause is 1 */
  readonly causes: Set<string>;
  /** reasons of the active otel_sentinel_exporter_problem series */
  readonly reasons: Set<string>;
  queueFillRatio: number | null;
}

export function sentinelView(text: string): Map<string, SentinelExporterView> {
  const out = new Map<string, SentinelExporterView>();
  const get = (id: string): SentinelExporterView => {
    let v = out.get(id);
    if (!v) {
      v = { up: null, causes: new Set(), reasons: new Set(), queueFillRatio: null };
      out.set(id, v);
    }
    return v;
  };
  for (const s of parsePage(text)) {
    const id = s.labels['exporter'];
    if (id === undefined) continue;
    if (s.name === 'otel_sentinel_exporter_up') get(id).up = s.value === 1;
    else if (s.name === 'otel_sentinel_exporter_cause' && s.value === 1) get(id).causes.add(s.labels['cause'] ?? '');
    else if (s.name === 'otel_sentinel_exporter_problem' && s.value === 1) get(id).reasons.add(s.labels['reason'] ?? '');
    else if (s.name === 'otel_sentinel_exporter_queue_fill_ratio') get(id).queueFillRatio = s.value;
  }
  return out;
}

/** GET a /metrics page (Prometheus text) with a deadline. */
export async function fetchPage(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return text;
}
