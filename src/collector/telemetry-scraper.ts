import { AnswerReader } from '../net/answer-reader.js';
import { formatBytes, formatSize } from '../config/read-bounded-file.js';
import { Client, closeClient } from '../net/undici-client.js';
import type { QueueSizer } from '../config/queue-sizer.js';
import { exporterStats } from './exporter-stats.js';
import { parsePrometheusText } from './prometheus-text.js';
import { QueueWindow, type ExporterView } from './queue-window.js';
import { TrafficWindow, trafficCounters, type PipelineRates, type TrafficView } from './traffic.js';

/** One exporter as one scrape of the collector's internal metrics saw it. */
export interface ExporterTelemetry {
  /** its fullest queue and its counters' deltas over the window */
  readonly view: ExporterView;
  /** its real traffic between the last two scrapes; absent before there are two */
  readonly traffic?: TrafficView;
}

/** What one scrape read: the page's exporters and pipeline, or why there is no page. */
export type TelemetryReadings =
  | { readonly ok: false; /** absent when scraping is off */ readonly unreachable?: { readonly url: string; readonly detail: string } }
  | {
      readonly ok: true;
      /** one entry per requested exporter, in the order asked */
      readonly exporters: ReadonlyMap<string, ExporterTelemetry>;
      /** the receivers' and the memory limiter's rates */
      readonly pipeline: PipelineRates;
      /** the traffic of every requested exporter seen on the page */
      readonly traffic: readonly TrafficView[];
    };

export interface TelemetryScraperOptions {
  /** wall clock in ms */
  readonly now?: () => number;
  /** a metrics page larger than this is refused (default 8 MiB) */
  readonly maxBytes?: number;
}

export interface ScrapeInput {
  /** the collector's metrics URL (CollectorModel.telemetryUrl); '' turns scraping off */
  readonly url: string;
  /** exporter names to report on, as in the collector's config (`otlp/tempo`) */
  readonly exporters: readonly string[];
  /** exporter name -> whether its last probe succeeded; absent when not probed yet */
  readonly probeUp: ReadonlyMap<string, boolean>;
  /** thresholds.queue_ratio */
  readonly queueRatio: number;
  /** exporter name -> its `sending_queue.sizer` (CollectorModel.queueSizers); absent: requests */
  readonly sizers?: Readonly<Record<string, QueueSizer>>;
}

/**
 * Reads the collector's internal metrics: every exporter's sending queue and counters, the pipeline's rates.
 * Lifecycle: one per daemon, `read()` once per round with that round's AbortSignal; it keeps a
 * bounded window of samples per exporter (fill rate, counter deltas) and forgets exporters that are
 * no longer passed in. Never throws.
 */
export interface TelemetryScraper {
  /** what one scrape reads (src/diagnose/classify-telemetry.ts judges it, through src/diagnose/judge.ts) */
  read(input: ScrapeInput, signal: AbortSignal): Promise<TelemetryReadings>;
}

const ACCEPT = 'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5';

export function createTelemetryScraper(opts: TelemetryScraperOptions = {}): TelemetryScraper {
  const now = opts.now ?? Date.now;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const window = new QueueWindow();
  const trafficWindow = new TrafficWindow();

  async function read(input: ScrapeInput, signal: AbortSignal): Promise<TelemetryReadings> {
    if (input.url === '') return { ok: false };
    const fail = (detail: string): TelemetryReadings => ({ ok: false, unreachable: { url: safeUrl(input.url), detail } });
    let text: string;
    // the collector reads its gauges while it answers: the sample is taken between asking and the
    // answer, not after the page is parsed (a late timestamp that varies skews the fill rate)
    let sampledAt: number;
    try {
      const asked = now();
      const got = await fetchText(input.url, maxBytes, signal);
      sampledAt = (asked + now()) / 2;
      if ('error' in got) return fail(got.error);
      text = got.text;
    } catch (err) {
      return fail(describeError(err, signal));
    }
    // only the collector's own families matter; the rest of the page is skipped unparsed
    const parsed = parsePrometheusText(text, { prefix: 'otelcol_' });
    if (parsed.samples.length === 0) {
      const all = parsePrometheusText(text);
      if (all.samples.length === 0) {
        return fail(all.invalidLines > 0
          ? `the answer is not in the Prometheus text format (${all.errors.join('; ')})`
          : 'the answer holds no metrics');
      }
      if (!all.samples.some((s) => s.name.startsWith('otelcol_'))) {
        return fail(`the answer holds ${all.samples.length} samples but none named otelcol_*: this is not the collector's own metrics endpoint, or its level (service.telemetry.metrics.level) is none`);
      }
    }
    const views = window.observe(sampledAt, input.exporters, exporterStats(parsed.samples));
    const traffic = trafficWindow.observe(sampledAt, input.exporters, trafficCounters(parsed.samples));
    const exporters = new Map<string, ExporterTelemetry>();
    for (const [name, view] of views) {
      const tv = traffic.exporters.get(name);
      exporters.set(name, tv ? { view, traffic: tv } : { view });
    }
    return { ok: true, exporters, pipeline: traffic.pipeline, traffic: [...traffic.exporters.values()] };
  }

  return { read };
}

async function fetchText(url: string, maxBytes: number, signal: AbortSignal): Promise<{ text: string } | { error: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { error: `unsupported scheme ${parsed.protocol}` };
  // A connection of its own per scrape, closed after it: one request every round needs no pool.
  const client = new Client(parsed.origin);
  const answer = new AnswerReader(maxBytes, true);
  const unfollow = answer.follow(signal);
  try {
    client.dispatch({ method: 'GET', path: `${parsed.pathname}${parsed.search}`, headers: { accept: ACCEPT } }, answer);
    const res = await answer.done;
    if (res.status < 200 || res.status > 299) return { error: `HTTP ${res.status}` };
    if (!res.complete) {
      const declared = Number(res.headers['content-length']);
      // refused unread when declared too large; otherwise read up to the limit and dropped
      return { error: declared > maxBytes ? `the answer is ${formatSize(declared)}, over the limit of ${formatBytes(maxBytes)}` : `the answer is more than ${formatBytes(maxBytes)}, the limit` };
    }
    return { text: res.body.toString('utf8') };
  } finally {
    unfollow();
    closeClient(client);
  }
}

function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'no answer before the round\'s deadline';
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : null;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return code ? `${code} (${msg})` : msg;
}

/** A telemetry URL may carry credentials (`http://user:pass@host`): never show them. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? 'REDACTED' : '';
      u.password = u.password ? 'REDACTED' : '';
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//[REDACTED]@');
  }
}
