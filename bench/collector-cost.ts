/**
 * What watching the collector costs per round: one judged inspection (read, then classified) against a process holding 10,000 open fds,
 * the same with the fd classification that runs when a problem is reported, a readdir-only count
 * (kernels before 6.2), and one scrape + parse of a realistic collector metrics page.
 * Prints figures; not a test. Run after `npm run build`: node dist/bench/collector-cost.js
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createCollectorWatcher } from '../src/collector/collector-watcher.js';
import { createTelemetryScraper } from '../src/collector/telemetry-scraper.js';
import { judgeCollector, judgeTelemetry } from '../src/diagnose/judge.js';
import { parsePrometheusText } from '../src/collector/prometheus-text.js';
import { countFds } from '../src/collector/fd-usage.js';
import type { SentinelConfig } from '../src/config/sentinel-config.js';

const FDS = 10_000;
const ROUNDS = 300;

function config(pid: number, fdRatio: number): SentinelConfig {
  return {
    source: null,
    listen: { host: '127.0.0.1', port: 0 },
    collector: { configFiles: [], process: { pid, pidFile: '', name: '' }, telemetryUrl: '', useProcessEnvironment: true },
    probe: { intervalMs: 15000, timeoutMs: 5000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: { fdRatio, memoryRatio: 0.85, certExpiryMs: 0, slowResponseMs: 2000, queueRatio: 0.7 },
    log: { level: 'info' },
    web: { tlsCertFile: '', tlsKeyFile: '', basicAuthUsers: {}, unauthenticatedPaths: [], enableLifecycle: false, maxConnections: 64 },
  };
}

async function timed(rounds: number, fn: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 10; i++) await fn(); // warm up
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number): string => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(3);
  return `median ${q(0.5)} ms, p99 ${q(0.99)} ms (${rounds} rounds)`;
}

/** A collector page of realistic size: 20 exporters with 3 queues each, receivers, processors, histograms. */
function page(): string {
  const scope = 'otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_schema_url="",otel_scope_version=""';
  const lines: string[] = [];
  const family = (name: string, type: string, rows: string[]): void => {
    lines.push(`# HELP ${name} ${name.replace(/_/g, ' ')} [alpha]`, `# TYPE ${name} ${type}`, ...rows);
  };
  const exporters = Array.from({ length: 20 }, (_, i) => `otlp/backend-${i}`);
  for (const m of ['queue_capacity', 'queue_size']) {
    family(`otelcol_exporter_${m}`, 'gauge', exporters.flatMap((e) => ['traces', 'metrics', 'logs'].map((dt) => `otelcol_exporter_${m}{data_type="${dt}",exporter="${e}",${scope}} ${m === 'queue_size' ? 17 : 1000}`)));
  }
  for (const m of ['sent', 'send_failed', 'enqueue_failed']) {
    for (const s of ['spans', 'metric_points', 'log_records']) {
      family(`otelcol_exporter_${m}_${s}_total`, 'counter', exporters.map((e) => `otelcol_exporter_${m}_${s}_total{exporter="${e}",${scope}} ${1.234567e6}`));
    }
  }
  for (const r of ['accepted', 'refused']) {
    family(`otelcol_receiver_${r}_spans_total`, 'counter', Array.from({ length: 10 }, (_, i) => `otelcol_receiver_${r}_spans_total{receiver="otlp/${i}",transport="grpc",otel_scope_name="go.opentelemetry.io/collector/receiver/receiverhelper",otel_scope_schema_url="",otel_scope_version=""} 4.8213e+07`));
  }
  const buckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000, '+Inf'];
  family('otelcol_processor_batch_batch_send_size', 'histogram', Array.from({ length: 10 }, (_, p) => [
    ...buckets.map((b) => `otelcol_processor_batch_batch_send_size_bucket{processor="batch/${p}",otel_scope_name="go.opentelemetry.io/collector/processor/batchprocessor",le="${b}"} ${3122 + p}`),
    `otelcol_processor_batch_batch_send_size_sum{processor="batch/${p}"} 4.8213e+07`,
    `otelcol_processor_batch_batch_send_size_count{processor="batch/${p}"} 3122`,
  ]).flat());
  family('otelcol_http_server_request_duration_seconds', 'histogram', Array.from({ length: 30 }, (_, p) =>
    buckets.map((b) => `otelcol_http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="200",network_protocol_name="http",server_address="0.0.0.0",server_port="${4318 + p}",url_scheme="http",le="${b}"} 12`)).flat());
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const opener = `const fs=require('fs');const h=[];for(let i=0;i<${FDS};i++)h.push(fs.openSync('/dev/null','r'));process.stdout.write('ready\\n');setInterval(()=>{},1000);`;
  const child = spawn('sh', ['-c', `ulimit -n ${FDS + 1000} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" -e "$1"`, process.execPath, opener], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
    if (first.value !== 'ready') throw new Error('the fd holder did not start (is RLIMIT_NOFILE raisable here?)');
    const pid = child.pid!;
    const watcher = createCollectorWatcher();
    const quiet = config(pid, 0.999);
    const r = await judgeCollector(watcher, quiet, null, AbortSignal.timeout(10_000));
    console.log(`collector stand-in: pid ${pid}, ${r.open_fds} open fds of ${r.max_fds}, rss ${((r.rss_bytes ?? 0) / 1048576).toFixed(1)} MiB`);
    console.log(`inspection, no problem:           ${await timed(ROUNDS, () => judgeCollector(watcher, quiet, null, AbortSignal.timeout(10_000)))}`);
    const noisy = config(pid, 0.01);
    console.log(`inspection, fd problem (classify):${await timed(ROUNDS, () => judgeCollector(watcher, noisy, null, AbortSignal.timeout(10_000)))}`);
    console.log(`fd count by stat (Linux 6.2+):    ${await timed(ROUNDS, () => countFds('/proc', pid, true))}`);
    console.log(`fd count by readdir (older):      ${await timed(ROUNDS, () => countFds('/proc', pid, false))}`);
  } finally {
    child.kill('SIGKILL');
  }

  const body = page();
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const parsed = parsePrometheusText(body);
    console.log(`metrics page: ${(body.length / 1024).toFixed(0)} KiB, ${parsed.samples.length} samples`);
    console.log(`parse only:                       ${await timed(ROUNDS, async () => parsePrometheusText(body))}`);
    const scraper = createTelemetryScraper();
    const exporters = Array.from({ length: 20 }, (_, i) => `otlp/backend-${i}`);
    const input = { url, exporters, probeUp: new Map<string, boolean>(), queueRatio: 0.7 };
    console.log(`scrape over loopback, judged:     ${await timed(ROUNDS, () => judgeTelemetry(scraper, input, AbortSignal.timeout(10_000)))}`);
  } finally {
    server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
