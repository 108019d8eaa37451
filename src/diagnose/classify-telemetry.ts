import type { ExporterView } from '../collector/queue-window.js';
import type { TelemetryReadings } from '../collector/telemetry-scraper.js';
import type { PipelineRates, QuietRun, TrafficReport, TrafficView } from '../collector/traffic.js';
import { DEFAULT_QUEUE_SIZER, queueUnit, type QueueSizer } from '../config/queue-sizer.js';
import { problem } from './catalogue.js';
import type { CollectorReport, QueueReport } from './collector-report.js';
import type { Problem } from './problem.js';

export type { ExporterTelemetry, TelemetryReadings } from '../collector/telemetry-scraper.js';

/** A queue that fills up within this many seconds at its current rate is reported already. */
export const FULL_SOON_SECONDS = 300;

/** What the scrape is judged against, beside the readings. */
export interface TelemetryContext {
  /** exporter name -> whether its last probe succeeded; absent when not probed yet */
  readonly probeUp: ReadonlyMap<string, boolean>;
  /** thresholds.queue_ratio */
  readonly queueRatio: number;
  /** exporter name -> its `sending_queue.sizer`; absent: requests */
  readonly sizers?: Readonly<Record<string, QueueSizer>>;
}

/** One scrape, judged: every exporter's queue with its problems, and the collector's own. */
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

/** Judges one scrape: queue_*, exports_*, send_failing per exporter; telemetry_unreachable, data_refused for the collector. */
export function classifyTelemetry(r: TelemetryReadings, ctx: TelemetryContext): TelemetryScrape {
  if (!r.ok) return { ok: false, queues: new Map(), problems: r.unreachable ? [problem('telemetry_unreachable', r.unreachable)] : [] };
  const queues = new Map<string, QueueReport>();
  const reports = new Map<string, TrafficReport>();
  for (const [name, e] of r.exporters) {
    queues.set(name, judge(name, e.view, ctx, e.traffic, r.pipeline));
    if (e.traffic) reports.set(name, e.traffic.report);
  }
  return { ok: true, queues, traffic: reports, problems: refusedAtTheDoor(r.pipeline, r.traffic) };
}

function judge(name: string, view: ExporterView, input: TelemetryContext, tv?: TrafficView, pipeline?: PipelineRates): QueueReport {
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
  else if (tv) {
    const stall = stallOf(tv.quiet);
    // the receivers take data in, this exporter neither delivers nor fails, scrape after scrape: its sends hang
    if (stall) {
      problems.push(problem('exports_stalled', { exporter: name, acceptedRate: pipeline?.accepted, inFlight: tv.report.in_flight, queueGrew: tv.queueGrew, seconds: stall.seconds },
        stall.critical ? 'critical' : 'warning'));
    }
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

/**
 * One quiet window says little: a healthy send that takes longer than the time since the last one
 * ended (a slow backend behind a batch that flushes every few seconds, a pipeline that carries data
 * now and then while another one is busy), or a retry waiting out its backoff or a backend's
 * RetryInfo, gives one. Two quiet windows in which the sending queue grew each time are a stall:
 * every consumer of the queue is held (a retry of one batch holds one, and the others go on
 * delivering), so the warning comes with the second scrape. Without that sign (a queue that did
 * not grow, or no queue), a warning after 2 windows and 5 s, the initial backoff of the collector's
 * retries; critical after 3 windows and 15 s either way.
 */
export const STALL_WARNING_WINDOWS = 2;
export const STALL_WARNING_SECONDS = 5;
export const STALL_CRITICAL_WINDOWS = 3;
export const STALL_CRITICAL_SECONDS = 15;

/** A run of quiet windows judged: null while it is too short to name, else how long and how bad. */
export function stallOf(run: QuietRun | null): { seconds: number; critical: boolean } | null {
  if (!run || run.windows < STALL_WARNING_WINDOWS) return null;
  if (run.seconds < STALL_WARNING_SECONDS && !run.queueGrewThroughout) return null;
  return { seconds: run.seconds, critical: run.windows >= STALL_CRITICAL_WINDOWS && run.seconds >= STALL_CRITICAL_SECONDS };
}
