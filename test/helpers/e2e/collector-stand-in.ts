import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { spawnTethered } from './tethered-child.js';
import { waitFor } from './wait-for.js';

export interface CollectorStandInOptions {
  /** exporter names as in the collector's config; each gets a traces queue on the metrics page */
  readonly exporters: readonly string[];
  /** this exporter's queue grows by `fillPerSecond` batches a second; the others stay empty */
  readonly filling?: string;
  readonly fillPerSecond?: number;
  /** sending_queue.queue_size of every exporter (default 1000) */
  readonly capacity?: number;
  /**
   * Puts the process near its open-files limit: the limit is set to this (at most 10) and the
   * process holds all but one descriptor open (above the sentinel's default 80% threshold;
   * descriptors inherited from the test process, if any, may take it to the limit).
   * Unset: the inherited limit and only stdin/stdout/stderr open.
   */
  readonly maxFds?: number;
}

/**
 * What otel-sentinel watches of a collector, without a collector: a long-lived child process (the
 * "collector process", found by pid) holding most of its small open-files limit, and a loopback
 * HTTP server serving the collector's internal metrics in its Prometheus format, with the sending
 * queues the options describe. Lifecycle: start, `close()` in a teardown (kills the child).
 */
export interface CollectorStandIn {
  readonly pid: number;
  /** for collector.telemetry_url */
  readonly telemetryUrl: string;
  /** pages served so far */
  readonly scrapes: () => number;
  close(): Promise<void>;
}

const SCOPE = 'otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_schema_url="",otel_scope_version=""';

/** A page in the shape a collector (0.11x, Prometheus pull reader) serves at :8888/metrics. */
export function collectorMetricsPage(exporters: readonly { name: string; size: number; capacity: number; sent: number }[], uptimeSeconds: number): string {
  const lines: string[] = [
    '# HELP otelcol_process_uptime_seconds_total Uptime of the process [alpha]',
    '# TYPE otelcol_process_uptime_seconds_total counter',
    `otelcol_process_uptime_seconds_total{otel_scope_name="go.opentelemetry.io/collector/service",otel_scope_schema_url="",otel_scope_version=""} ${uptimeSeconds}`,
  ];
  const family = (name: string, type: string, help: string, value: (e: (typeof exporters)[number]) => number, dataType: boolean): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const e of exporters) lines.push(`${name}{${dataType ? 'data_type="traces",' : ''}exporter="${e.name}",${SCOPE}} ${value(e)}`);
  };
  family('otelcol_exporter_queue_capacity', 'gauge', 'Fixed capacity of the retry queue (in batches). [Alpha]', (e) => e.capacity, true);
  family('otelcol_exporter_queue_size', 'gauge', 'Current size of the retry queue (in batches). [Alpha]', (e) => e.size, true);
  family('otelcol_exporter_sent_spans_total', 'counter', 'Number of spans successfully sent to destination. [Alpha]', (e) => e.sent, false);
  family('otelcol_exporter_send_failed_spans_total', 'counter', 'Number of spans in failed attempts to send to destination. [Alpha]', () => 0, false);
  family('otelcol_exporter_enqueue_failed_spans_total', 'counter', 'Number of spans failed to be added to the sending queue. [Alpha]', () => 0, false);
  return `${lines.join('\n')}\n`;
}

export async function startCollectorStandIn(o: CollectorStandInOptions): Promise<CollectorStandIn> {
  const capacity = o.capacity ?? 1000;
  const rate = o.fillPerSecond ?? 5;
  // fds 0-2 are /dev/null (stdio 'ignore'); open more up to one below the limit, then sleep as a
  // collector would run. sh (dash) redirects single-digit fds only, hence the cap of 10.
  let script = 'exec sleep 600';
  if (o.maxFds !== undefined) {
    if (o.maxFds < 5 || o.maxFds > 10) throw new Error(`maxFds must be 5..10, got ${o.maxFds}`);
    const extra = Array.from({ length: o.maxFds - 4 }, (_, i) => `${i + 3}</dev/null`).join(' ');
    script = `ulimit -n ${o.maxFds} && exec ${extra} && ${script}`;
  }
  const child = await spawnTethered('sh', ['-c', script], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  const pid = child.pid;
  // the shell has set up the descriptors once it has become `sleep`
  const state = await waitFor('the collector stand-in process', async () => {
    if (child.exited()) return 'exited';
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    return comm.trim() === 'sleep' ? 'running' : undefined;
  }, { timeoutMs: 30_000, intervalMs: 20 });
  if (state === 'exited') throw new Error(`the collector stand-in exited with ${await child.exit}: sh -c '${script}'`);

  const startedAt = Date.now();
  let scrapes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    scrapes++;
    const elapsed = (Date.now() - startedAt) / 1000;
    const page = collectorMetricsPage(
      o.exporters.map((name) => ({
        name,
        capacity,
        size: name === o.filling ? Math.min(capacity, Math.round(rate * elapsed)) : 0,
        sent: Math.round(100 * elapsed),
      })),
      elapsed,
    );
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(page);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    pid,
    telemetryUrl: `http://127.0.0.1:${port}/metrics`,
    scrapes: () => scrapes,
    close: async () => {
      await child.stop(5_000);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
