/**
 * Lead time, on the real collector: from the moment a fault starts (a healthy backend switched to
 * the fault), the time until (a) the cause is on otel-sentinel's /metrics and (b) the collector
 * drops its first span (otelcol_exporter_enqueue_failed_* or otelcol_exporter_send_failed_* above
 * zero: the queue is full, or a send was given up). One collector with one exporter per scenario
 * in one pipeline, a fresh collector and otel-sentinel for every run, all faults at once.
 */
import { startCollector } from '../test/helpers/collector/collector-process.js';
import { startFaultBackend, type FaultBackend, type FaultMode } from '../test/helpers/collector/fault-backend.js';
import { collectorView, type CollectorExporterView, type SentinelExporterView } from '../test/helpers/collector/metrics-pages.js';
import { startSentinelBeside } from '../test/helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../test/helpers/collector/span-load.js';
import { quantile, sleep } from './stats.js';

/** otel-sentinel's probe schedule in this part */
export const LEAD_INTERVAL = '5s';
export const LEAD_TIMEOUT = '3s';
/** the exporters' sending queue (requests) and the load: a batch every 200 ms */
export const LEAD_QUEUE = 100;
const BATCH_TIMEOUT = '200ms';
/** give up on a scenario of a run after this long */
const RUN_DEADLINE_MS = 90_000;
const POLL_MS = 100;

interface LeadScenario {
  readonly id: string;
  readonly protocol: 'grpc' | 'http';
  readonly fault: FaultMode;
  readonly label: string;
  readonly cause: string;
  /** whether the collector retries (the queue holds the outage) or drops at once */
  readonly queueHolds: boolean;
}

const SCENARIOS: readonly LeadScenario[] = (['grpc', 'http'] as const).flatMap((protocol) => {
  const type = protocol === 'grpc' ? 'otlp_grpc' : 'otlp_http';
  const unavailable = protocol === 'grpc' ? 'UNAVAILABLE' : '503';
  const unauthorized = protocol === 'grpc' ? 'UNAUTHENTICATED' : '401';
  return [
    { id: `${type}/refused`, protocol, fault: 'refused', label: 'backend stops listening', cause: 'network', queueHolds: true },
    { id: `${type}/unavailable`, protocol, fault: 'unavailable', label: `backend answers ${unavailable}`, cause: 'backend', queueHolds: true },
    { id: `${type}/hung`, protocol, fault: 'silent', label: 'backend stops answering', cause: 'backend', queueHolds: true },
    { id: `${type}/unauthorized`, protocol, fault: 'unauthorized', label: `credentials refused (${unauthorized})`, cause: 'auth', queueHolds: false },
  ];
});

export interface LeadTimeResult {
  readonly id: string;
  readonly label: string;
  readonly cause: string;
  readonly queueHolds: boolean;
  /** seconds from the fault to the cause on otel-sentinel's /metrics, per run (NaN: not within the deadline) */
  readonly sentinelS: number[];
  /** seconds from the fault to the collector's first dropped span, per run (NaN: none within the deadline) */
  readonly dropS: number[];
  /** dropS - sentinelS per run: positive = otel-sentinel first */
  readonly leadS: number[];
  readonly medianLeadS: number;
  /** the smallest lead of the runs */
  readonly worstLeadS: number;
  readonly sentinelFirstEveryRun: boolean;
}

export interface LeadTimeOptions {
  readonly runs: number;
}

const dropped = (v: CollectorExporterView | undefined): boolean => (v?.enqueueFailed ?? 0) + (v?.sendFailed ?? 0) > 0;

async function oneRun(log: (line: string) => void): Promise<Map<string, { sentinel: number; drop: number }>> {
  const backends = new Map<string, FaultBackend>();
  const collectorStops: (() => Promise<void>)[] = [];
  try {
    for (const s of SCENARIOS) backends.set(s.id, await startFaultBackend({ protocol: s.protocol }));
    const collector = await startCollector({
      queueSize: LEAD_QUEUE,
      processors: { batch: { timeout: BATCH_TIMEOUT } },
      exporters: Object.fromEntries(
        SCENARIOS.map((s) => {
          const b = backends.get(s.id)!;
          return [s.id, s.protocol === 'grpc' ? { endpoint: b.endpoint, tls: { insecure: true } } : { endpoint: b.endpoint }];
        }),
      ),
    });
    collectorStops.push(() => collector.stop());
    const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 10, intervalMs: 100 });
    collectorStops.push(() => load.stop());
    const sentinel = await startSentinelBeside(collector, { interval: LEAD_INTERVAL, timeout: LEAD_TIMEOUT });
    collectorStops.push(() => sentinel.stop());

    // warm: every exporter sends, otel-sentinel has them all up
    const warmDeadline = Date.now() + 60_000;
    for (;;) {
      const c = collectorView(await collector.metrics());
      const v = await sentinel.view();
      if (SCENARIOS.every((s) => (c.get(s.id)?.sent ?? 0) > 0 && v.get(s.id)?.up === true)) break;
      if (Date.now() > warmDeadline) throw new Error(`lead time: the pipeline did not get healthy\n${sentinel.log()}`);
      await sleep(200);
    }

    const t0 = performance.now();
    await Promise.all(SCENARIOS.map((s) => backends.get(s.id)!.setMode(s.fault)));
    const seen = new Map<string, { sentinel: number; drop: number }>(SCENARIOS.map((s) => [s.id, { sentinel: NaN, drop: NaN }]));
    const done = (): boolean => [...seen.values()].every((x) => !Number.isNaN(x.sentinel) && !Number.isNaN(x.drop));
    while (!done() && performance.now() - t0 < RUN_DEADLINE_MS) {
      const [c, v] = await Promise.all([
        collector.metrics().then(collectorView).catch(() => null),
        sentinel.view().catch(() => null as Map<string, SentinelExporterView> | null),
      ]);
      const at = (performance.now() - t0) / 1000;
      for (const s of SCENARIOS) {
        const x = seen.get(s.id)!;
        if (Number.isNaN(x.sentinel) && v?.get(s.id)?.causes.has(s.cause)) x.sentinel = at;
        if (Number.isNaN(x.drop) && c && dropped(c.get(s.id))) x.drop = at;
      }
      await sleep(POLL_MS);
    }
    log(
      `  run: ${SCENARIOS.map((s) => `${s.id} ${seen.get(s.id)!.sentinel.toFixed(1)}/${seen.get(s.id)!.drop.toFixed(1)} s`).join(', ')}`,
    );
    return seen;
  } finally {
    for (const stop of collectorStops.reverse()) await stop();
    for (const b of backends.values()) await b.close();
  }
}

export async function runLeadTime(o: LeadTimeOptions, log: (line: string) => void): Promise<LeadTimeResult[]> {
  const runs: Map<string, { sentinel: number; drop: number }>[] = [];
  for (let i = 0; i < o.runs; i++) runs.push(await oneRun(log));
  return SCENARIOS.map((s) => {
    const sentinelS = runs.map((r) => r.get(s.id)!.sentinel);
    const dropS = runs.map((r) => r.get(s.id)!.drop);
    // no drop within the deadline: the lead is at least the rest of it; not detected: no lead
    const leadS = runs.map((_, i) => {
      if (Number.isNaN(sentinelS[i]!)) return -Infinity;
      return Number.isNaN(dropS[i]!) ? Infinity : dropS[i]! - sentinelS[i]!;
    });
    const finite = leadS.filter((l) => !Number.isNaN(l));
    return {
      id: s.id,
      label: s.label,
      cause: s.cause,
      queueHolds: s.queueHolds,
      sentinelS,
      dropS,
      leadS,
      medianLeadS: finite.length > 0 ? quantile(finite, 0.5) : NaN,
      worstLeadS: finite.length > 0 ? Math.min(...finite) : NaN,
      sentinelFirstEveryRun: leadS.every((l) => l > 0),
    };
  });
}

const lead = (x: number): string => (x === Infinity ? `> ${RUN_DEADLINE_MS / 1000}` : x === -Infinity ? 'missed' : x.toFixed(1));

const secs = (xs: readonly number[]): string => {
  const f = xs.filter(Number.isFinite);
  if (f.length === 0) return 'none';
  return `${quantile(f, 0.5).toFixed(1)} / ${Math.max(...f).toFixed(1)} s${f.length < xs.length ? ` (${xs.length - f.length} missed)` : ''}`;
};

/** The part of the report: one row per scenario. */
export function leadTimeRows(results: readonly LeadTimeResult[]): string[][] {
  return results.map((r) => [
    `${r.id}: ${r.label}${r.queueHolds ? '' : ' (dropped at once)'}`,
    `${r.cause}: ${secs(r.sentinelS)}`,
    secs(r.dropS),
    Number.isNaN(r.medianLeadS) ? '-' : `${lead(r.medianLeadS)} / ${lead(r.worstLeadS)} s`,
    r.sentinelFirstEveryRun ? 'yes' : 'no',
  ]);
}
