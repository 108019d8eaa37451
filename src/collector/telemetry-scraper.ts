import { AnswerReader } from '../answer-reader.js';
import { formatBytes, formatSize } from '../config/read-bounded-file.js';
import { Client, closeClient } from '../undici-client.js';
import { DEFAULT_QUEUE_SIZER, queueUnit, type QueueSizer } from '../config/queue-sizer.js';
import { problem } from '../diagnose/catalogue.js';
import type { Problem } from '../diagnose/problem.js';
import type { CollectorReport, QueueReport } from './collector-report.js';
import { exporterStats } from './exporter-stats.js';
import { parsePrometheusText } from './prometheus-text.js';
import { QueueWindow, type ExporterView } from './queue-window.js';
import { TrafficWindow, trafficCounters, type PipelineRates, type TrafficReport, type TrafficView } from './traffic.js';

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

export interface TelemetryScrape {
  /** false when the page could not be fetched or read (see `problems`), or scraping is off */
  readonly ok: boolean;
  /** one entry per requested exporter when ok; an exporter absent from the page has null figures */
  readonly queues: ReadonlyMap<string, QueueReport>;
  /** exporter name -> its real traffic between the last two scrapes (when ok) */
  readonly traffic?: ReadonlyMap<string, TrafficReport>;
  /** problems of the scrape itself (telemetry_unreachable) and of the pipeline (data_refused): they belong to the collector block */
  readonly problems: CollectorReport['problems'];
}

/**
 * Reads the collector's internal metrics and judges every exporter's sending queue.
 * Lifecycle: one per daemon, `scrape()` once per round with that round's AbortSignal; it keeps a
 * bounded window of samples per exporter (fill rate, counter deltas) and forgets exporters that are
 * no longer passed in. Never throws.
 */
export interface TelemetryScraper {
  scrape(input: ScrapeInput, signal: AbortSignal): Promise<TelemetryScrape>;
}

/** A queue that fills up within this many seconds at its current rate is reported already. */
export const FULL_SOON_SECONDS = 300;

const ACCEPT = 'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5';

export function createTelemetryScraper(opts: TelemetryScraperOptions = {}): TelemetryScraper {
  const now = opts.now ?? Date.now;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const window = new QueueWindow();
  const trafficWindow = new TrafficWindow();

  async function scrape(input: ScrapeInput, signal: AbortSignal): Promise<TelemetryScrape> {
    if (input.url === '') return { ok: false, queues: new Map(), problems: [] };
    const fail = (detail: string): TelemetryScrape => ({
      ok: false, queues: new Map(), problems: [problem('telemetry_unreachable', { url: safeUrl(input.url), detail })],
    });
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
    const queues = new Map<string, QueueReport>();
    const reports = new Map<string, TrafficReport>();
    for (const [name, view] of views) {
      const tv = traffic.exporters.get(name);
      queues.set(name, judge(name, view, input, tv, traffic.pipeline));
      if (tv) reports.set(name, tv.report);
    }
    return { ok: true, queues, traffic: reports, problems: refusedAtTheDoor(traffic.pipeline, [...traffic.exporters.values()]) };
  }

  return { scrape };
}

function judge(name: string, view: ExporterView, input: ScrapeInput, tv?: TrafficView, pipeline?: PipelineRates): QueueReport {
  const q = view.queue;
  const problems: Problem[] = [];
  const sizer = (input.sizers && Object.hasOwn(input.sizers, name) ? input.sizers[name] : undefined) ?? DEFAULT_QUEUE_SIZER;
  const unit = queueUnit(sizer, q?.dataType || undefined);
  const base = { exporter: name, dataType: q?.dataType || undefined, size: q?.size ?? null, capacity: q?.capacity ?? null, sizer, unit };
  const ratio = q && q.size !== null && q.capacity ? q.size / q.capacity : null;
  const enqueueFailed = view.deltas.enqueueFailed ?? 0;
  const full = ratio !== null && ratio >= 1;
  if (enqueueFailed > 0 || full) {
    problems.push(problem('queue_full', { ...base, enqueueFailed }));
  } else if (q && ratio !== null && (ratio >= input.queueRatio || (q.secondsToFull !== null && q.secondsToFull <= FULL_SOON_SECONDS))) {
    problems.push(problem('queue_near_capacity', { ...base, ratio, threshold: input.queueRatio, secondsToFull: q.secondsToFull }));
  }
  const failed = view.deltas.sendFailed ?? 0;
  const sent = view.deltas.sent ?? 0;
  const up = input.probeUp.get(name);
  if (failed > 0) problems.push(...failureProblems(name, failed, sent, up, tv));
  else if (tv?.stalled) {
    // the receivers take data in, this exporter neither delivers nor fails, scrape after scrape: its sends hang
    problems.push(problem('exports_stalled', { exporter: name, acceptedRate: pipeline?.accepted, inFlight: tv.report.in_flight, queueGrew: tv.queueGrew, seconds: tv.stalled.seconds },
      tv.stalled.critical ? 'critical' : 'warning'));
  }
  return { size: q?.size ?? null, capacity: q?.capacity ?? null, sizer, unit, seconds_to_full: q?.secondsToFull ?? null, problems };
}

/** error types that say the backend refused the credentials */
const AUTH_ERRORS = new Set(['Unauthenticated', 'PermissionDenied']);

/**
 * Send failures (counted by the collector once its retries are over): permanent ones are data
 * dropped without retry whatever the probe says; the rest, while the probe's empty export passes,
 * are failures only real batches meet, their cause told by the error type.
 */
function failureProblems(name: string, failed: number, sent: number, up: boolean | undefined, tv: TrafficView | undefined): Problem[] {
  const out: Problem[] = [];
  const types = tv?.report.error_types ?? [];
  // refused credentials are permanent to the OTLP exporters too, but their cause is auth: judged below
  const permanent = types.filter((e) => e.permanent === true && !AUTH_ERRORS.has(e.error_type));
  const permanentRate = permanent.reduce((a, e) => a + e.per_second, 0);
  if (permanentRate > 0) out.push(problem('exports_dropped_permanently', { exporter: name, permanentRate, errorType: permanent[0]!.error_type }));
  const retryable = types.filter((e) => !permanent.includes(e));
  // below `detailed` nothing says which failures were permanent: all of them are judged here
  if (types.length > 0 && retryable.length === 0) return out;
  if (up !== true || !tv) {
    out.push(problem('send_failing', { exporter: name, failed, sent, probe: up === undefined ? 'unknown' : up ? 'up' : 'down' }, sent > 0 ? 'warning' : 'critical'));
    return out;
  }
  const top = retryable[0];
  const failedRate = top ? retryable.reduce((a, e) => a + e.per_second, 0) : tv.report.failed_per_second;
  const facts = { exporter: name, failedRate, sentRate: tv.report.sent_per_second, errorType: top?.error_type, permanent: top?.permanent };
  if (top && AUTH_ERRORS.has(top.error_type)) out.push(problem('exports_unauthorized', facts));
  else out.push(problem('exports_rejected', facts, sent > 0 ? 'warning' : 'critical'));
  return out;
}

/**
 * Data refused at the door: the memory limiter refusing, or the receivers refusing while no
 * exporter fails (a receiver also refuses what a failing exporter without a queue hands back:
 * that is the exporter's problem, said on it).
 */
function refusedAtTheDoor(p: PipelineRates, exporters: readonly TrafficView[]): Problem[] {
  const limiter = p.limiterRefused ?? 0;
  const refused = p.refused ?? 0;
  const exportersFail = exporters.some((e) => (e.report.failed_per_second ?? 0) > 0 || (e.report.enqueue_failed_per_second ?? 0) > 0);
  if (limiter > 0 || (refused > 0 && !exportersFail)) {
    return [problem('data_refused', { limiterRate: limiter, refusedRate: refused, acceptedRate: p.accepted ?? 0 })];
  }
  return [];
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
