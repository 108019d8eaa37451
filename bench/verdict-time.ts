/**
 * Time to verdict on the collector's real traffic: the real collector (test/otelcol) at
 * `service.telemetry.metrics.level: detailed`, one exporter per fault behind a loopback backend
 * that passes the probe's empty export and fails real batches (413, RESOURCE_EXHAUSTED, 400,
 * UNAUTHENTICATED, a stall), a healthy control, otel-sentinel beside it every VERDICT_INTERVAL_S.
 * Polling every 100 ms from the start of the load: when the collector's own page first shows the
 * fault (failures counted, or requests in flight with nothing sent), and when otel-sentinel's
 * diagnosis first names it. The figure is the difference, in seconds and in otel-sentinel rounds
 * (each round scrapes the collector once).
 */
import type { Diagnosis } from '../src/diagnose/diagnosis.js';
import { startBatchBackend, type BatchBackend, type BatchBackendOptions } from '../test/helpers/collector/batch-backends.js';
import { startCollector } from '../test/helpers/collector/collector-process.js';
import { startFaultBackend } from '../test/helpers/collector/fault-backend.js';
import { parsePage } from '../test/helpers/collector/metrics-pages.js';
import { startSentinelBeside } from '../test/helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../test/helpers/collector/span-load.js';

export const VERDICT_INTERVAL_S = 2;

export interface VerdictTimeResult {
  readonly exporter: string;
  readonly fault: string;
  readonly reason: string;
  /** ms from the start of the load to the collector's page showing the fault; null: never */
  readonly seenByCollectorMs: number | null;
  /** ms from the start of the load to otel-sentinel's verdict; null: never */
  readonly verdictMs: number | null;
  /** verdict - seen, in otel-sentinel rounds (collector scrapes) */
  readonly rounds: number | null;
  /** problems ever seen on the healthy control during the run (must be 0) */
  readonly controlAlarms: number;
}

interface Scenario {
  readonly exporter: string;
  readonly fault: string;
  readonly reason: string;
  readonly backend: BatchBackendOptions;
  readonly settings: Record<string, unknown>;
}

const fastRetry = { timeout: '2s', retry_on_failure: { initial_interval: '100ms', max_interval: '200ms', max_elapsed_time: '1s' } };

const SCENARIOS: readonly Scenario[] = [
  { exporter: 'otlphttp/small', fault: 'HTTP 413 above 512 bytes', reason: 'exports_dropped_permanently', backend: { protocol: 'http', fault: 'too_large', maxBytes: 512 }, settings: { compression: 'none', ...fastRetry } },
  { exporter: 'otlp/small', fault: 'gRPC RESOURCE_EXHAUSTED above 512 bytes', reason: 'exports_dropped_permanently', backend: { protocol: 'grpc', fault: 'too_large', maxBytes: 512 }, settings: { tls: { insecure: true }, compression: 'none', ...fastRetry } },
  { exporter: 'otlphttp/bad', fault: 'HTTP 400 to every real batch', reason: 'exports_dropped_permanently', backend: { protocol: 'http', fault: 'bad_request' }, settings: fastRetry },
  { exporter: 'otlp/unauth', fault: 'gRPC UNAUTHENTICATED to every real batch', reason: 'exports_unauthorized', backend: { protocol: 'grpc', fault: 'unauthorized' }, settings: { tls: { insecure: true }, ...fastRetry } },
  { exporter: 'otlp/stall', fault: 'connection accepted, no answer', reason: 'exports_stalled', backend: { protocol: 'grpc', fault: 'stall' }, settings: { tls: { insecure: true }, timeout: '600s', retry_on_failure: { enabled: false } } },
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runVerdictTime(o: { quick: boolean }, log: (line: string) => void): Promise<VerdictTimeResult[]> {
  const backends: BatchBackend[] = [];
  const control = await startFaultBackend({ protocol: 'grpc' });
  try {
    const exporters: Record<string, Record<string, unknown>> = { 'otlp/control': { endpoint: control.endpoint, tls: { insecure: true }, ...fastRetry } };
    for (const s of SCENARIOS) {
      const b = await startBatchBackend(s.backend);
      backends.push(b);
      exporters[s.exporter] = { endpoint: b.endpoint, ...s.settings };
    }
    const collector = await startCollector({ metricsLevel: 'detailed', queueSize: 1000, exporters });
    try {
      const sentinel = await startSentinelBeside(collector, { interval: `${VERDICT_INTERVAL_S}s`, timeout: '1500ms' });
      try {
        const t0 = Date.now();
        const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 40, intervalMs: 100 });
        const seen = new Map<string, number>();
        const named = new Map<string, number>();
        let controlAlarms = 0;
        const deadline = t0 + (o.quick ? 30_000 : 60_000);
        try {
          while (Date.now() < deadline && named.size < SCENARIOS.length) {
            const now = Date.now() - t0;
            const page = parsePage(await collector.metrics());
            for (const s of SCENARIOS) {
              if (seen.has(s.exporter)) continue;
              const of = page.filter((x) => x.labels['exporter'] === s.exporter);
              const failed = of.some((x) => x.name.startsWith('otelcol_exporter_send_failed_') && x.value > 0);
              const stuck = of.some((x) => x.name.startsWith('otelcol_exporter_in_flight_requests') && x.value > 0) &&
                !of.some((x) => x.name.startsWith('otelcol_exporter_sent_') && x.value > 0);
              if (failed || (s.reason === 'exports_stalled' && stuck)) seen.set(s.exporter, now);
            }
            const d = (await (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json()) as Diagnosis;
            for (const e of d.exporters) {
              if (e.name === 'otlp/control' && e.problems.length > 0) controlAlarms++;
              const s = SCENARIOS.find((x) => x.exporter === e.name);
              if (s && !named.has(s.exporter) && e.problems.some((p) => p.reason === s.reason)) named.set(s.exporter, now);
            }
            await sleep(100);
          }
        } finally {
          await load.stop();
        }
        return SCENARIOS.map((s) => {
          const a = seen.get(s.exporter) ?? null;
          const b = named.get(s.exporter) ?? null;
          const rounds = a !== null && b !== null ? Math.max(0, b - a) / 1000 / VERDICT_INTERVAL_S : null;
          const r: VerdictTimeResult = { exporter: s.exporter, fault: s.fault, reason: s.reason, seenByCollectorMs: a, verdictMs: b, rounds, controlAlarms };
          log(`verdict ${s.exporter} (${s.fault}): collector shows it at ${a === null ? 'never' : `${(a / 1000).toFixed(1)} s`}, ` +
            `${s.reason} at ${b === null ? 'never' : `${(b / 1000).toFixed(1)} s`} (${rounds === null ? '?' : rounds.toFixed(2)} rounds later)`);
          return r;
        });
      } finally {
        await sentinel.stop();
      }
    } finally {
      await collector.stop();
    }
  } finally {
    for (const b of backends) await b.close();
    await control.close();
  }
}
