import type { QueueSizer } from '../../../src/config/queue-sizer.js';
import type { Diagnosis } from '../../../src/diagnose/diagnosis.js';
import { startCollector } from './collector-process.js';
import { startFaultBackend } from './fault-backend.js';
import { collectorView } from './metrics-pages.js';
import { startSentinelBeside } from './sentinel-beside.js';
import { encodeSpans, startSpanLoad } from './span-load.js';

/** The load of every run: one request of SPANS spans every INTERVAL_MS, no batch processor. */
const SPANS = 10;
const INTERVAL_MS = 50;
const EXPORTER = 'otlp_grpc/down';

export interface QueueFillOptions {
  readonly sizer: QueueSizer;
  /** queue_size is chosen so that the load fills the queue in about this many seconds */
  readonly fillSeconds: number;
  /** wait for the first enqueue failure too (the bench); else stop at the first queue warning */
  readonly untilFull: boolean;
  /** otel-sentinel's probe.interval and probe.timeout (default 1s and 800ms) */
  readonly interval?: string;
  readonly timeout?: string;
}

export interface QueueFillRun {
  readonly sizer: QueueSizer;
  readonly queueSize: number;
  /** the collector's otelcol_exporter_queue_capacity at the first warning */
  readonly capacity: number | null;
  /** the diagnosis' queue.sizer and queue.unit, and the warning's message */
  readonly diagnosedSizer: string | null;
  readonly unit: string | null;
  readonly message: string;
  /** ms from the start of the load to otel-sentinel's first queue warning */
  readonly warnedMs: number;
  /** seconds_to_full of that warning */
  readonly secondsToFull: number;
  /** ms from the start of the load to the first enqueue failure (untilFull), else null */
  readonly fullMs: number | null;
  /** |predicted - real time until full| / real time until full, counted from the warning; null when not measured */
  readonly error: number | null;
}

/**
 * One queue filled on the real collector, as an outage fills it: an otlp_grpc exporter with a
 * sending queue of the given sizer, spans flowing at a fixed rate into the receiver, otel-sentinel
 * beside it. Once spans flow steadily to a healthy backend (the queue empty), the backend starts to
 * answer every export with UNAVAILABLE (retried, so everything stays queued). Returns
 * otel-sentinel's first queue warning after that (its seconds_to_full, unit and message) and, with
 * `untilFull`, when the collector really refused its first span at the queue
 * (otelcol_exporter_enqueue_failed_* above 0). Times count from the start of the outage.
 */
export async function runQueueFill(o: QueueFillOptions): Promise<QueueFillRun> {
  const requestsPerSecond = 1000 / INTERVAL_MS;
  const perSecond = { requests: requestsPerSecond, items: requestsPerSecond * SPANS, bytes: requestsPerSecond * encodeSpans(SPANS).length };
  const queueSize = Math.round(perSecond[o.sizer] * o.fillSeconds);
  const stops: (() => Promise<void>)[] = [];
  try {
    const backend = await startFaultBackend({ protocol: 'grpc', mode: 'healthy' });
    stops.push(() => backend.close());
    const collector = await startCollector({
      exporters: {
        [EXPORTER]: {
          endpoint: backend.endpoint,
          tls: { insecure: true },
          // one consumer, holding its request in a long retry: everything else waits in the queue
          retry_on_failure: { initial_interval: '10m', max_interval: '10m', max_elapsed_time: '0s' },
          sending_queue: { sizer: o.sizer, queue_size: queueSize, num_consumers: 1 },
        },
      },
      processors: {},
      pipelineProcessors: [],
    });
    stops.push(() => collector.stop());
    const sentinel = await startSentinelBeside(collector, { interval: o.interval ?? '1s', timeout: o.timeout ?? '800ms' });
    stops.push(() => sentinel.stop());

    const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: SPANS, intervalMs: INTERVAL_MS });
    stops.push(() => load.stop());
    // steady traffic first: two seconds of it delivered, and otel-sentinel's queue samples empty
    const steadyFrom = Date.now();
    for (;;) {
      const sent = collectorView(await collector.metrics()).get(EXPORTER)?.sent ?? 0;
      if (Date.now() - steadyFrom >= 2_000 && sent >= 2 * perSecond.items) break;
      if (Date.now() - steadyFrom > 60_000) throw new Error(`spans did not flow to the healthy backend (sent ${sent})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await backend.setMode('unavailable');
    const start = Date.now();
    let warned: { at: number; d: Diagnosis; message: string; capacity: number | null } | null = null;
    let fullAt: number | null = null;
    const deadline = start + Math.max(60_000, o.fillSeconds * 4_000);
    while (Date.now() < deadline) {
      if (warned === null) {
        const res = await fetch(`${sentinel.url}/api/v1/diagnosis`, { signal: AbortSignal.timeout(5_000) });
        const d = (await res.json()) as Diagnosis;
        const at = Date.now();
        const e = d.exporters.find((x) => x.name === EXPORTER);
        const p = e?.problems.find((x) => x.reason === 'queue_near_capacity' || x.reason === 'queue_full');
        if (e && p && typeof e.queue?.seconds_to_full === 'number') {
          const capacity = collectorView(await collector.metrics()).get(EXPORTER)?.queueCapacity ?? null;
          warned = { at, d, message: p.message, capacity };
          if (!o.untilFull) break;
        }
      }
      if (o.untilFull) {
        const view = collectorView(await collector.metrics()).get(EXPORTER);
        if (view && view.enqueueFailed > 0) {
          fullAt = Date.now();
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (warned === null) throw new Error(`no queue warning from otel-sentinel within ${deadline - start} ms (sizer ${o.sizer})\n${sentinel.log()}`);
    if (o.untilFull && fullAt === null) throw new Error(`the queue of sizer ${o.sizer} never refused a span within ${deadline - start} ms`);
    const q = warned.d.exporters.find((x) => x.name === EXPORTER)!.queue!;
    const secondsToFull = q.seconds_to_full!;
    const real = fullAt === null ? null : fullAt - warned.at;
    return {
      sizer: o.sizer,
      queueSize,
      capacity: warned.capacity,
      diagnosedSizer: q.sizer ?? null,
      unit: q.unit ?? null,
      message: warned.message,
      warnedMs: warned.at - start,
      secondsToFull,
      fullMs: fullAt === null ? null : fullAt - start,
      error: real === null || real <= 0 ? null : Math.abs(secondsToFull * 1000 - real) / real,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
