/**
 * A healthy pipeline of the real collector (test/otelcol), as people run it, for the proof of no
 * false alarm: OTLP/gRPC and OTLP/HTTP exporters, plaintext and TLS (a CA of this run, made with
 * openssl), with an authorization header the backend checks, backends that answer slowly
 * (50-200 ms), backends that now and then answer a retryable 503 / UNAVAILABLE the collector's
 * retry recovers from, a batch processor, a sending queue on every exporter, a second traces
 * pipeline fed by the same receiver, a third whose batch flushes every 5 s to a backend that takes
 * over a second per batch, and an idle logs pipeline; steady span load into its OTLP
 * receiver. `violations()` names what in one diagnosis would be an alarm on it: on this pipeline
 * every one is a false alarm.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnosis } from '../src/diagnose/diagnosis.js';
import { startCollector, type RunningCollector } from '../test/helpers/collector/collector-process.js';
import { startSpanLoad, type SpanLoad } from '../test/helpers/collector/span-load.js';
import { makeBenchCerts } from './bench-certs.js';
import { startHealthyBackend, type HealthyBackend, type HealthyBackendOptions } from './healthy-backends.js';

export interface HealthyPipelineOptions {
  /** service.telemetry.metrics.level (default detailed) */
  readonly metricsLevel?: 'basic' | 'normal' | 'detailed';
  /** spans per request and one request every intervalMs (default 50 every 200 ms: 250 spans/s) */
  readonly spansPerRequest?: number;
  readonly loadIntervalMs?: number;
}

export interface HealthyPipeline {
  readonly collector: RunningCollector;
  readonly load: SpanLoad;
  /** exporter ID -> its backend */
  readonly backends: ReadonlyMap<string, HealthyBackend>;
  close(): Promise<void>;
}

/** the token the TLS backends require; a test checks it never shows in otel-sentinel's output */
export const HEALTHY_TOKEN = 'Bearer healthy-run-secret-7c1e';

export async function startHealthyPipeline(o: HealthyPipelineOptions = {}): Promise<HealthyPipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-healthy-'));
  const certs = makeBenchCerts(dir);
  const tls = { cert: readFileSync(certs.certFile, 'utf8'), key: readFileSync(certs.keyFile, 'utf8') };
  const header = { name: 'authorization', value: HEALTHY_TOKEN };
  const specs: Record<string, HealthyBackendOptions> = {
    'otlp/plain': { protocol: 'grpc' },
    'otlp/tls': { protocol: 'grpc', tls, requiredHeader: header },
    'otlphttp/plain': { protocol: 'http' },
    'otlphttp/tls': { protocol: 'http', tls, requiredHeader: header },
    'otlp/slow': { protocol: 'grpc', delayMs: [50, 200] },
    'otlphttp/slow': { protocol: 'http', delayMs: [50, 200] },
    'otlp/flaky': { protocol: 'grpc', failEvery: 7 },
    'otlphttp/flaky': { protocol: 'http', failEvery: 7 },
    'otlp/second': { protocol: 'grpc' },
    // a batch every 5 s to a backend that takes over a second: a send in flight at some scrapes
    // with none ended since the last one
    'otlp/sparse': { protocol: 'grpc', delayMs: [1200, 1800] },
    'otlphttp/logs': { protocol: 'http' },
  };
  const backends = new Map<string, HealthyBackend>();
  let collector: RunningCollector | undefined;
  const close = async (): Promise<void> => {
    await collector?.stop();
    for (const b of backends.values()) await b.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [id, spec] of Object.entries(specs)) backends.set(id, await startHealthyBackend(spec));
    const endpoint = (id: string): string => backends.get(id)!.endpoint;
    // the retry as commonly tuned: recovers a lone 503 in well under a second
    const retry = { retry_on_failure: { enabled: true, initial_interval: '200ms', max_interval: '2s', max_elapsed_time: '60s' } };
    const queue = { sending_queue: { enabled: true, queue_size: 1000 } };
    const tlsBlock = { tls: { ca_file: certs.caFile } };
    const auth = { headers: { authorization: HEALTHY_TOKEN } };
    const exporters: Record<string, Record<string, unknown>> = {
      'otlp/plain': { endpoint: endpoint('otlp/plain'), tls: { insecure: true }, ...queue, ...retry },
      'otlp/tls': { endpoint: endpoint('otlp/tls'), ...tlsBlock, ...auth, ...queue, ...retry },
      'otlphttp/plain': { endpoint: endpoint('otlphttp/plain'), ...queue, ...retry },
      'otlphttp/tls': { endpoint: endpoint('otlphttp/tls'), ...tlsBlock, ...auth, ...queue, ...retry },
      'otlp/slow': { endpoint: endpoint('otlp/slow'), tls: { insecure: true }, timeout: '5s', ...queue, ...retry },
      'otlphttp/slow': { endpoint: endpoint('otlphttp/slow'), timeout: '5s', ...queue, ...retry },
      'otlp/flaky': { endpoint: endpoint('otlp/flaky'), tls: { insecure: true }, ...queue, ...retry },
      'otlphttp/flaky': { endpoint: endpoint('otlphttp/flaky'), ...queue, ...retry },
      'otlp/second': { endpoint: endpoint('otlp/second'), tls: { insecure: true }, ...queue, ...retry },
      'otlp/sparse': { endpoint: endpoint('otlp/sparse'), tls: { insecure: true }, timeout: '10s', ...queue, ...retry },
      'otlphttp/logs': { endpoint: endpoint('otlphttp/logs'), ...queue, ...retry },
    };
    const main = Object.keys(exporters).filter((id) => !['otlp/second', 'otlp/sparse', 'otlphttp/logs'].includes(id));
    collector = await startCollector({
      exporters: {},
      config: ({ receiverPort, telemetryPort }) => ({
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${receiverPort}` } } } },
        processors: { batch: { timeout: '200ms', send_batch_size: 512 }, 'batch/second': { timeout: '1s' }, 'batch/sparse': { timeout: '5s', send_batch_size: 100000 } },
        exporters,
        service: {
          telemetry: {
            logs: { level: 'error', encoding: 'json', sampling: { enabled: false } },
            metrics: {
              level: o.metricsLevel ?? 'detailed',
              readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: telemetryPort } } } }],
            },
          },
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['batch'], exporters: main },
            'traces/second': { receivers: ['otlp'], processors: ['batch/second'], exporters: ['otlp/second'] },
            'traces/sparse': { receivers: ['otlp'], processors: ['batch/sparse'], exporters: ['otlp/sparse'] },
            logs: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlphttp/logs'] },
          },
        },
      }),
    });
  } catch (err) {
    await close();
    throw err;
  }
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: o.spansPerRequest ?? 50, intervalMs: o.loadIntervalMs ?? 200 });
  return {
    collector,
    load,
    backends,
    close: async () => {
      await load.stop();
      await close();
    },
  };
}

/**
 * What in one diagnosis of the healthy pipeline would be an alarm: a problem of any severity, an
 * exporter not up, the collector not up, data being lost. Each as `who: what`.
 */
export function violations(d: Diagnosis): string[] {
  const out: string[] = [];
  if (d.collector.state !== 'up') out.push(`collector: state ${d.collector.state}`);
  for (const p of d.collector.problems) out.push(`collector: ${p.severity} ${p.reason} (${p.message})`);
  for (const e of d.exporters) {
    if (!e.up) out.push(`${e.name}: probe failed`);
    if (e.state !== 'up') out.push(`${e.name}: state ${e.state}`);
    for (const p of e.problems) out.push(`${e.name}: ${p.severity} ${p.reason} (${p.message})`);
    const lost = e.traffic?.lost_per_second ?? 0;
    if (lost !== 0) out.push(`${e.name}: data lost ${lost}/s`);
  }
  return out;
}

/** Sum of every sample of a family in Prometheus text whose line matches `filter` (labels ignored otherwise). */
export function sumFamily(text: string, name: string, filter: (line: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (!filter(line)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}
