/**
 * Soak run: the built daemon in a child process probing ~20 loopback exporters at a 100 ms
 * interval (healthy gRPC and HTTP, 503, refused, hung, untrusted TLS), sampled every few seconds
 * from its own /metrics and /proc/PID/status. Prints a table over time and a verdict: resident
 * memory after warm-up grows less than 5 % and the handle count stays flat. Exit 0 on a pass.
 *
 *   npm run build && node dist/bench/soak.js [--probes 100000 | --duration 10m]
 *       [--exporters 20] [--interval 100ms] [--sample 5s] [--warmup 60s] [--log FILE]
 *
 * --log keeps the daemon's own log output in FILE (else it is only counted).
 *
 * With --chaos it runs the chaos run beside the real collector instead (bench/chaos-run.ts); with
 * --healthy the long healthy run of the real collector, the proof of no false alarm
 * (bench/healthy-soak.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../src/config/duration.js';
import { collectorConfig } from './collector-config.js';
import { chaosMain } from './chaos-run.js';
import { healthyMain } from './healthy-soak.js';
import { BACKEND_KINDS, startSoakBackends, type BackendKind } from './soak-backends.js';
import { stopChild } from './stop-child.js';
import { SHIPPED_BIN } from './shipped-bin.js';

const RSS_GROWTH_LIMIT = 0.05;

interface Sample {
  readonly seconds: number;
  readonly probes: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly handles: number;
  readonly lagP99Seconds: number;
  readonly logBytes: number;
}

function flags(): { probes: number; durationMs: number; exporters: number; intervalMs: number; sampleMs: number; warmupMs: number; log?: string } {
  const { values } = parseArgs({
    options: {
      probes: { type: 'string' },
      duration: { type: 'string' },
      exporters: { type: 'string', default: '20' },
      interval: { type: 'string', default: '100ms' },
      sample: { type: 'string', default: '5s' },
      warmup: { type: 'string', default: '60s' },
      log: { type: 'string' },
    },
  });
  const durationMs = values.duration ? parseDuration(values.duration) : Infinity;
  const probes = values.probes ? Number(values.probes) : values.duration ? Infinity : 100_000;
  return {
    probes,
    durationMs,
    exporters: Number(values.exporters),
    intervalMs: parseDuration(values.interval),
    sampleMs: parseDuration(values.sample),
    warmupMs: parseDuration(values.warmup),
    log: values.log,
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const typeOf = (kind: BackendKind): string => (kind === 'grpc-ok' || kind === 'refused' ? 'otlp' : 'otlphttp');

/** Sum of every sample of a family in Prometheus text (labels ignored). */
function sumOf(text: string, name: string): number {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) {
      sum += value;
      seen = true;
    }
  }
  return seen ? sum : NaN;
}

function procRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};
const mb = (b: number): string => (b / 1048576).toFixed(1);

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the daemon did not become ready within 30 s');
}

async function main(): Promise<number> {
  const f = flags();
  const names = Array.from({ length: f.exporters }, (_, i) => {
    const kind = BACKEND_KINDS[i % BACKEND_KINDS.length]!;
    return { kind, name: `${typeOf(kind)}/${kind}-${Math.floor(i / BACKEND_KINDS.length) + 1}` };
  });
  const backends = await startSoakBackends(names.map((n) => n.name));
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-soak-'));
  const collectorFile = join(dir, 'collector.yaml');
  const exporters = Object.fromEntries(names.map((n) => [n.name, backends.block(n.kind)]));
  writeFileSync(collectorFile, collectorConfig(exporters));
  const port = await freePort();
  const timeoutMs = Math.max(10, Math.round(f.intervalMs * 0.8));
  const sentinelFile = join(dir, 'sentinel.yaml');
  writeFileSync(
    sentinelFile,
    [
      `listen: "127.0.0.1:${port}"`,
      'collector:',
      `  config_files: [${JSON.stringify(collectorFile)}]`,
      `  telemetry_url: ${JSON.stringify(backends.telemetryUrl)}`,
      '  use_process_environment: false',
      '  process:',
      // this process stands in for the collector, so every round also reads /proc
      `    pid: ${process.pid}`,
      'probe:',
      `  interval: ${formatDuration(f.intervalMs)}`,
      `  timeout: ${formatDuration(timeoutMs)}`,
      'log:',
      '  level: info',
    ].join('\n'),
  );

  const child = spawn(process.execPath, [SHIPPED_BIN, 'serve', '--config', sentinelFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logBytes = 0;
  let stderr = '';
  const logFile = f.log ? createWriteStream(f.log) : null;
  child.stdout!.on('data', (b: Buffer) => {
    logBytes += b.length;
    logFile?.write(b);
  });
  child.stderr!.on('data', (b: Buffer) => {
    logBytes += b.length;
    logFile?.write(b);
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  const samples: Sample[] = [];
  const started = Date.now();
  let exitCode: number | null = null;
  try {
    await waitReady(base, child);
    console.log(
      `soak: ${f.exporters} exporters every ${formatDuration(f.intervalMs)} (timeout ${formatDuration(timeoutMs)}), ` +
        `until ${Number.isFinite(f.probes) ? `${f.probes} probes` : formatDuration(f.durationMs)}; daemon pid ${child.pid}`,
    );
    console.log('    t(s)     probes  probes/s   RSS(MB)  heap(MB)  handles  lag p99(ms)  log(KB)');
    for (;;) {
      await new Promise((r) => setTimeout(r, f.sampleMs));
      if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode}: ${stderr}`);
      const text = await (await fetch(`${base}/metrics`)).text();
      const s: Sample = {
        seconds: (Date.now() - started) / 1000,
        probes: sumOf(text, 'otel_sentinel_probes_total'),
        rssBytes: procRss(child.pid!) || sumOf(text, 'process_resident_memory_bytes'),
        heapUsedBytes: sumOf(text, 'nodejs_heap_size_used_bytes'),
        handles: sumOf(text, 'nodejs_active_handles'),
        lagP99Seconds: sumOf(text, 'nodejs_eventloop_lag_p99_seconds'),
        logBytes,
      };
      const prev = samples.at(-1);
      const rate = prev ? (s.probes - prev.probes) / (s.seconds - prev.seconds) : s.probes / s.seconds;
      samples.push(s);
      console.log(
        `${s.seconds.toFixed(0).padStart(8)} ${String(s.probes).padStart(10)} ${rate.toFixed(0).padStart(9)} ${mb(s.rssBytes).padStart(9)} ` +
          `${mb(s.heapUsedBytes).padStart(9)} ${String(s.handles).padStart(8)} ${(s.lagP99Seconds * 1000).toFixed(1).padStart(12)} ${(s.logBytes / 1024).toFixed(0).padStart(8)}`,
      );
      if (s.probes >= f.probes || Date.now() - started >= f.durationMs) break;
    }
  } finally {
    exitCode = await stopChild(child, 10_000);
    await backends.close();
    logFile?.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return verdict(samples, f.warmupMs, exitCode);
}

function verdict(samples: readonly Sample[], warmupMs: number, exitCode: number | null): number {
  const total = samples.at(-1)?.seconds ?? 0;
  // Warm-up: JIT, pools and the first TLS contexts; at most a quarter of a short run.
  const warm = Math.min(warmupMs / 1000, total / 4);
  const after = samples.filter((s) => s.seconds >= warm);
  if (after.length < 6) {
    console.log(`verdict: too few samples after warm-up (${after.length}); run longer`);
    return 1;
  }
  const window = Math.max(3, Math.floor(after.length / 5));
  const head = after.slice(0, window);
  const tail = after.slice(-window);
  const rss0 = median(head.map((s) => s.rssBytes));
  const rss1 = median(tail.map((s) => s.rssBytes));
  const heap0 = median(head.map((s) => s.heapUsedBytes));
  const heap1 = median(tail.map((s) => s.heapUsedBytes));
  const h0 = median(head.map((s) => s.handles));
  const h1 = median(tail.map((s) => s.handles));
  const handlesAll = after.map((s) => s.handles);
  const growth = (rss1 - rss0) / rss0;
  const last = samples.at(-1)!;
  const rssOk = growth < RSS_GROWTH_LIMIT;
  // Probes in flight hold sockets, so the count moves a little from sample to sample; a leak
  // shows as a median that keeps rising.
  const handlesOk = h1 <= h0 + Math.max(3, h0 * 0.1);
  console.log('');
  console.log(`probes: ${last.probes} in ${last.seconds.toFixed(0)} s (${(last.probes / last.seconds).toFixed(0)}/s); warm-up ${warm.toFixed(0)} s`);
  console.log(`RSS after warm-up: ${mb(rss0)} MB -> ${mb(rss1)} MB (${(growth * 100).toFixed(1)} %, limit ${RSS_GROWTH_LIMIT * 100} %): ${rssOk ? 'ok' : 'GROWING'}`);
  console.log(`heap used after warm-up: ${mb(heap0)} MB -> ${mb(heap1)} MB`);
  console.log(`active handles: median ${h0} -> ${h1} (min ${Math.min(...handlesAll)}, max ${Math.max(...handlesAll)}): ${handlesOk ? 'constant' : 'GROWING'}`);
  console.log(`event loop lag p99, last sample: ${(last.lagP99Seconds * 1000).toFixed(1)} ms; log output ${(last.logBytes / 1024).toFixed(0)} KB`);
  console.log(`daemon exit code after SIGTERM: ${exitCode}`);
  const pass = rssOk && handlesOk && exitCode === 0;
  console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
  return pass ? 0 : 1;
}

const modeArgs = (flag: string): string[] => process.argv.slice(2).filter((a) => a !== flag);
(process.argv.includes('--chaos') ? chaosMain(modeArgs('--chaos')) : process.argv.includes('--healthy') ? healthyMain(modeArgs('--healthy')) : main()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`soak: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
