/**
 * otel-sentinel under hostile or unlucky conditions, measured: endpoint latency during a flood of
 * slow and silent connections, how fast oversize inputs are refused, and memory at 1,000 exporters
 * under the Kubernetes manifest's memory limit with a quarter of the probes hung.
 *
 *   npm run bench:hardening                               # everything (about 6 minutes)
 *   node dist/bench/hardening.js --quick                  # about a minute
 *   node dist/bench/hardening.js --only memory --out r.json
 *
 * Run it as root to measure the memory part inside a real cgroup memory limit; otherwise that part
 * runs without one and compares the peak RSS with the limit.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { classifyFds, countFds } from '../src/collector/fd-usage.js';
import { createTelemetryScraper } from '../src/collector/telemetry-scraper.js';
import { judgeTelemetry } from '../src/diagnose/judge.js';
import { ConfigError } from '../src/config/config-error.js';
import { defaultSentinelConfig } from '../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../src/config/read-collector-config.js';
import { makeBenchCerts } from './bench-certs.js';
import { collectorConfig } from './collector-config.js';
import { floodConnections } from './connection-flood.js';
import { freePort } from './free-port.js';
import { benchAgent, httpGet, pollUntil } from './http-get.js';
import { probeKinds, mixedExporters } from './probe-kinds.js';
import { startSentinel, type BenchExporter } from './sentinel-process.js';
import { startTargets } from './target-process.js';
import { IMAGE_NODE_FLAGS, SHIPPED_BIN } from './shipped-bin.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const PATHS = ['/metrics', '/livez', '/readyz'] as const;
const MiB = 1024 * 1024;

interface Options {
  readonly quick: boolean;
  readonly parts: ReadonlySet<string>;
  readonly out: string | null;
  readonly floodS: number;
  readonly memoryS: number;
}

function parseArgs(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const at = (flag: string): string | null => {
    const i = argv.indexOf(flag);
    return i >= 0 ? (argv[i + 1] ?? null) : null;
  };
  const only = at('--only');
  return {
    quick,
    parts: new Set(only ? only.split(',') : ['flood', 'oversize', 'memory']),
    out: at('--out'),
    floodS: quick ? 10 : 30,
    memoryS: Number(at('--memory-s') ?? (quick ? 40 : 180)),
  };
}

const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number): string => `${x < 1 ? x.toFixed(3) : x.toFixed(1)} ms`;

/** One GET on a connection of its own (as the kubelet makes it): ms, or -1 on an error. */
function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : -1));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(-1));
    req.end();
  });
}

function rssOf(pid: number, field = 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** An OTLP/HTTP backend in this process that accepts every export. */
async function okBackend(): Promise<{ port: number; server: Server }> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}

// --- flood --------------------------------------------------------------------------------------

interface FloodResult {
  readonly connections: number;
  readonly seconds: number;
  readonly connects: number;
  readonly perPath: Record<string, { baselineP50: number; p50: number; p99: number; max: number; requests: number; failed: number }>;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
}

async function runFlood(o: Options, dir: string): Promise<FloodResult> {
  const backend = await okBackend();
  const exporters: BenchExporter[] = Array.from({ length: 10 }, (_, i) => ({ id: `otlphttp/ok-${i}`, endpoint: `http://127.0.0.1:${backend.port}` }));
  const sentinel = await startSentinel({ dir: join(dir, 'flood'), exporters, interval: '5s', timeout: '2s', mode: 'export', collectorPid: process.pid });
  try {
    await sentinel.waitReady();
    // the baseline once the first rounds are over and the code is compiled
    await new Promise((r) => setTimeout(r, 6_000));
    const port = Number(new URL(sentinel.url).port);
    const baseline: Record<string, number[]> = {};
    for (const p of PATHS) {
      baseline[p] = [];
      for (let i = 0; i < 50; i++) baseline[p].push(await timedGet(`${sentinel.url}${p}`));
    }
    const rssBefore = rssOf(sentinel.pid);
    const flood = await floodConnections({ host: '127.0.0.1', port, connections: 1_000, slowShare: 0.5, byteEveryMs: 200, reconnect: true, maxConnects: 1_000_000 });
    const during: Record<string, number[]> = Object.fromEntries(PATHS.map((p) => [p, []]));
    let rssPeak = rssBefore;
    const end = performance.now() + o.floodS * 1000;
    while (performance.now() < end) {
      for (const p of PATHS) during[p]!.push(await timedGet(`${sentinel.url}${p}`));
      rssPeak = Math.max(rssPeak, rssOf(sentinel.pid));
      await new Promise((r) => setTimeout(r, 50));
    }
    const connects = flood.connects();
    await flood.stop();
    const perPath: FloodResult['perPath'] = {};
    for (const p of PATHS) {
      const ok = during[p]!.filter((x) => x >= 0);
      perPath[p] = {
        baselineP50: quantile(baseline[p]!.filter((x) => x >= 0), 0.5),
        p50: quantile(ok, 0.5),
        p99: quantile(ok, 0.99),
        max: Math.max(...ok),
        requests: during[p]!.length,
        failed: during[p]!.length - ok.length,
      };
    }
    return { connections: 1_000, seconds: o.floodS, connects, perPath, rssBeforeMb: rssBefore / MiB, rssPeakMb: rssPeak / MiB };
  } finally {
    await sentinel.stop();
    backend.server.close();
  }
}

// --- oversize -----------------------------------------------------------------------------------

interface OversizeResult {
  readonly checkSmallMs: number;
  readonly check50MbMs: number;
  readonly check50MbExit: number | null;
  readonly check50MbMessage: string;
  /** readCollectorConfig in this process: the small file, and the 50 MB one refused */
  readonly readSmallMs: number;
  readonly refuse50MbMs: number;
  readonly telemetryDeclaredMs: number;
  readonly telemetryChunkedMs: number;
  readonly fdsHeld: number;
  readonly fdCountStatMs: number;
  readonly fdCountStreamMs: number;
  readonly fdClassifyMs: number;
}

async function timedRun(args: readonly string[]): Promise<{ ms: number; code: number | null; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...IMAGE_NODE_FLAGS, SHIPPED_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { ms: performance.now() - t0, code, stderr };
}

async function runOversize(dir: string): Promise<OversizeResult> {
  const d = join(dir, 'oversize');
  mkdirSync(d, { recursive: true });
  const backend = await okBackend();
  try {
    // check: a small config, then the same pointing at a 50 MB file of real YAML
    const small = join(d, 'collector.yaml');
    writeFileSync(small, collectorConfig({ 'otlphttp/a': { endpoint: `http://127.0.0.1:${backend.port}` } }));
    const big = join(d, 'collector-50mb.yaml');
    const line = `# ${'x'.repeat(97)}\n`;
    const fd = openSync(big, 'w');
    const block = Buffer.from(line.repeat(10_000));
    for (let i = 0; i < 50; i++) writeFileSync(fd, block);
    closeSync(fd);
    const cfg = (file: string): string => {
      const f = join(d, `sentinel-${file.endsWith('50mb.yaml') ? 'big' : 'small'}.yaml`);
      writeFileSync(f, JSON.stringify({ collector: { config_files: [file], telemetry_url: '', use_process_environment: false, process: { pid: process.pid } } }));
      return f;
    };
    const readMs = (file: string): number => {
      const t0 = performance.now();
      try {
        readCollectorConfig({ files: [file], env: {}, sentinel: defaultSentinelConfig() });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
      return performance.now() - t0;
    };
    readMs(small);
    const readSmallMs = quantile(Array.from({ length: 20 }, () => readMs(small)), 0.5);
    const refuse50MbMs = quantile(Array.from({ length: 20 }, () => readMs(big)), 0.5);
    const smallRun = await timedRun(['check', '--config', cfg(small)]);
    const bigRun = await timedRun(['check', '--config', cfg(big)]);

    // the collector's telemetry answer: 100 MB, declared, then chunked
    const body = Buffer.alloc(MiB, 0x23);
    const telemetry = createHttpServer((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': String(100 * MiB) });
      else res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const more = (): void => {
        while (sent < 100 && res.write(body)) sent++;
        if (sent >= 100) res.end();
        else res.once('drain', more);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      more();
    });
    await new Promise<void>((r) => telemetry.listen(0, '127.0.0.1', r));
    const tport = (telemetry.address() as AddressInfo).port;
    const scraper = createTelemetryScraper();
    const scrapeMs = async (path: string): Promise<number> => {
      const t0 = performance.now();
      const r = await judgeTelemetry(scraper, { url: `http://127.0.0.1:${tport}${path}`, exporters: [], probeUp: new Map(), queueRatio: 0.7 }, AbortSignal.timeout(20_000));
      if (r.ok) throw new Error('a 100 MB answer was accepted');
      return performance.now() - t0;
    };
    const telemetryDeclaredMs = await scrapeMs('/declared');
    const telemetryChunkedMs = await scrapeMs('/chunked');
    telemetry.closeAllConnections();
    telemetry.close();

    // /proc of a process holding as many fds as allowed (up to 100,000)
    const holder = spawn('/bin/sh', ['-c', `ulimit -n 100200 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" -e "$1"`, process.execPath,
      "const fs=require('fs');let n=0;for(;n<100000;n++){try{fs.openSync('/dev/null','r')}catch{break}}process.stdout.write(n+'\\n');process.stdin.resume();process.stdin.on('end',()=>process.exit(0))"], { stdio: ['pipe', 'pipe', 'inherit'] });
    const held = await new Promise<number>((r) => holder.stdout.once('data', (b: Buffer) => r(Number(b.toString().trim()))));
    const time = async (fn: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const fdCountStatMs = await time(() => countFds('/proc', holder.pid!, true));
    const fdCountStreamMs = await time(() => countFds('/proc', holder.pid!, false));
    const fdClassifyMs = await time(() => classifyFds('/proc', holder.pid!, held));
    holder.stdin.end();
    holder.kill();
    return {
      checkSmallMs: smallRun.ms,
      check50MbMs: bigRun.ms,
      check50MbExit: bigRun.code,
      check50MbMessage: bigRun.stderr.trim().replace(d, '$DIR'),
      readSmallMs,
      refuse50MbMs,
      telemetryDeclaredMs,
      telemetryChunkedMs,
      fdsHeld: held,
      fdCountStatMs,
      fdCountStreamMs,
      fdClassifyMs,
    };
  } finally {
    backend.server.close();
  }
}

// --- memory under the manifest's limit ----------------------------------------------------------

interface MemoryResult {
  readonly limitMb: number;
  readonly cgroup: string;
  readonly node: string;
  readonly exporters: number;
  readonly hung: number;
  readonly seconds: number;
  readonly cmdline: string;
  readonly peakRssMb: number;
  readonly medianRssMb: number;
  readonly cgroupPeakMb: number | null;
  readonly marginPct: number;
  readonly oomKills: number | null;
  readonly alive: boolean;
  readonly probes: number;
}

/** The otel-sentinel container's memory limit in deploy/kubernetes/deployment.yaml, in bytes. */
function manifestLimit(): number {
  const file = fileURLToPath(new URL('../../deploy/kubernetes/deployment.yaml', import.meta.url));
  const docs = readFileSync(file, 'utf8').split(/^---$/m).map((t) => parse(t) as Record<string, unknown> | null);
  for (const doc of docs) {
    const containers = (doc as { spec?: { template?: { spec?: { containers?: { name: string; resources?: { limits?: { memory?: string } } }[] } } } } | null)?.spec?.template?.spec?.containers ?? [];
    const mem = containers.find((c) => c.name === 'otel-sentinel')?.resources?.limits?.memory;
    const m = mem ? /^(\d+)(Mi|Gi)$/.exec(mem) : null;
    if (m) return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) * MiB;
  }
  throw new Error(`${file}: no memory limit for the otel-sentinel container`);
}

interface Cgroup {
  readonly name: string;
  readonly procs: string;
  usage(): number | null;
  peak(): number | null;
  oomKills(): number | null;
  remove(): void;
}

/** A memory cgroup with this limit (v2, else v1), or null when this process may not make one. */
function makeCgroup(limit: number): Cgroup | null {
  const name = `otel-sentinel-bench-${process.pid}`;
  const read = (f: string): string | null => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  const num = (f: string): number | null => {
    const t = read(f);
    return t === null ? null : Number(t.trim());
  };
  const v2 = '/sys/fs/cgroup';
  const candidates = [
    { dir: join(v2, name), v: 2, ok: read(join(v2, 'cgroup.controllers'))?.includes('memory') === true },
    { dir: join(v2, 'memory', name), v: 1, ok: read(join(v2, 'memory', 'memory.limit_in_bytes')) !== null },
  ];
  for (const c of candidates) {
    if (!c.ok) continue;
    try {
      mkdirSync(c.dir);
      if (c.v === 2) {
        writeFileSync(join(c.dir, 'memory.max'), String(limit));
        writeFileSync(join(c.dir, 'memory.swap.max'), '0');
      } else {
        writeFileSync(join(c.dir, 'memory.limit_in_bytes'), String(limit));
      }
    } catch {
      try {
        rmdirSync(c.dir);
      } catch {
        /* not made */
      }
      continue;
    }
    const events = (): number | null => {
      const t = read(join(c.dir, c.v === 2 ? 'memory.events' : 'memory.oom_control'));
      const m = t ? /^oom_kill (\d+)/m.exec(t) : null;
      return m ? Number(m[1]) : null;
    };
    return {
      name: `cgroup v${c.v} ${c.dir}`,
      procs: join(c.dir, 'cgroup.procs'),
      usage: () => num(join(c.dir, c.v === 2 ? 'memory.current' : 'memory.usage_in_bytes')),
      peak: () => num(join(c.dir, c.v === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes')),
      oomKills: events,
      remove: () => {
        try {
          rmdirSync(c.dir);
        } catch {
          /* still busy: left for the next boot */
        }
      },
    };
  }
  return null;
}

/** Servers that accept and never answer: probes to them fail only at their deadline. */
async function hungServer(): Promise<{ port: number; close: () => void }> {
  const held = new Set<Socket>();
  const s = createNetServer((sock) => {
    held.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => held.delete(sock));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => {
      for (const h of held) h.destroy();
      s.close();
    },
  };
}

async function runMemory(o: Options, dir: string): Promise<MemoryResult> {
  const limit = manifestLimit();
  const d = join(dir, 'memory');
  mkdirSync(d, { recursive: true });
  const certs = makeBenchCerts(join(d, 'certs'));
  const targets = await startTargets(certs);
  const [hungHttp, hungGrpc] = [await hungServer(), await hungServer()];
  const n = 1_000;
  const hung = n / 4;
  const exporters: BenchExporter[] = [
    ...mixedExporters(n - hung, probeKinds(targets.ports, certs)),
    ...Array.from({ length: hung }, (_, i): BenchExporter =>
      i % 2 === 0
        ? { id: `otlphttp/hung-${i}`, endpoint: `http://127.0.0.1:${hungHttp.port}` }
        : { id: `otlp/hung-${i}`, endpoint: `127.0.0.1:${hungGrpc.port}`, tls: { insecure: true } },
    ),
  ];
  const port = await freePort();
  const collectorFile = join(d, 'collector.yaml');
  const exportersBlock: Record<string, unknown> = {};
  for (const e of exporters) exportersBlock[e.id] = { endpoint: e.endpoint, ...(e.tls ? { tls: e.tls } : {}) };
  writeFileSync(collectorFile, collectorConfig(exportersBlock));
  const sentinelFile = join(d, 'sentinel.yaml');
  writeFileSync(
    sentinelFile,
    JSON.stringify({
      listen: `127.0.0.1:${port}`,
      collector: { config_files: [collectorFile], process: { pid: targets.pid }, telemetry_url: '' },
      probe: { interval: '15s', timeout: '5s', mode: 'export' },
      log: { level: 'warn' },
    }),
  );
  const cgroup = makeCgroup(limit);
  // the shell joins the cgroup, then becomes node: the daemon starts inside the limit
  const child = cgroup
    ? spawn('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', cgroup.procs, process.execPath, ...IMAGE_NODE_FLAGS, SHIPPED_BIN, 'serve', '--config', sentinelFile], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn(process.execPath, [...IMAGE_NODE_FLAGS, SHIPPED_BIN, 'serve', '--config', sentinelFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const rss: number[] = [];
  let peakRss = 0;
  let cmdline = '';
  try {
    await pollUntil('otel-sentinel /readyz', async () => ((await httpGet(`${url}/readyz`, 2000)).status === 200 ? true : undefined), 100, 120_000);
    cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => (a.startsWith('/') ? a.split('/').pop()! : a)).join(' ');
    const end = performance.now() + o.memoryS * 1000;
    while (performance.now() < end && !exited) {
      await new Promise((r) => setTimeout(r, 1000));
      const r = rssOf(child.pid!);
      if (Number.isFinite(r)) rss.push(r);
      peakRss = Math.max(peakRss, rssOf(child.pid!, 'VmHWM') || 0);
    }
    const metrics = exited ? '' : (await httpGet(`${url}/metrics`)).body;
    const probes = metrics
      .split('\n')
      .filter((l) => l.startsWith('otel_sentinel_probes_total{'))
      .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    return {
      limitMb: limit / MiB,
      cgroup: cgroup?.name.replace(/-\d+$/, '-PID') ?? 'none (not allowed to make one): peak RSS compared with the limit',
      node: process.version,
      exporters: n,
      hung,
      seconds: o.memoryS,
      cmdline,
      peakRssMb: peakRss / MiB,
      medianRssMb: quantile(rss, 0.5) / MiB,
      cgroupPeakMb: cgroup ? (cgroup.peak() ?? NaN) / MiB : null,
      marginPct: (100 * (limit - peakRss)) / limit,
      oomKills: cgroup?.oomKills() ?? null,
      alive: !exited,
      probes,
    };
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    hungHttp.close();
    hungGrpc.close();
    await targets.stop();
    cgroup?.remove();
  }
}

// --- report -------------------------------------------------------------------------------------

function report(r: { flood?: FloodResult; oversize?: OversizeResult; memory?: MemoryResult }): string {
  const out: string[] = [];
  if (r.flood) {
    const f = r.flood;
    out.push(`flood: ${f.connections} connections (half silent, half sending headers a byte every 200 ms, reopened when cut) for ${f.seconds} s; ${f.connects} connects in all`);
    out.push('| endpoint | requests | failed | baseline p50 | p50 | p99 | max | max / baseline p50 |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [p, x] of Object.entries(f.perPath)) {
      out.push(`| \`${p}\` | ${x.requests} | ${x.failed} | ${ms(x.baselineP50)} | ${ms(x.p50)} | ${ms(x.p99)} | ${ms(x.max)} | ${(x.max / x.baselineP50).toFixed(1)} |`);
    }
    out.push(`daemon RSS: ${f.rssBeforeMb.toFixed(1)} MB before, ${f.rssPeakMb.toFixed(1)} MB at most during the flood`);
  }
  if (r.oversize) {
    const o = r.oversize;
    out.push('', 'oversize inputs:');
    out.push(`| input | time |`, '|---|---:|');
    out.push(`| reading a small collector config, in process (median of 20) | ${ms(o.readSmallMs)} |`);
    out.push(`| refusing a 50 MB collector config, in process (median of 20) | ${ms(o.refuse50MbMs)} (${(o.refuse50MbMs / o.readSmallMs).toFixed(2)} x the small one) |`);
    out.push(`| \`check\`, a small collector config, the whole process (baseline) | ${ms(o.checkSmallMs)} |`);
    out.push(`| \`check\`, a 50 MB collector config: exit ${o.check50MbExit} | ${ms(o.check50MbMs)} (${(o.check50MbMs / o.checkSmallMs).toFixed(2)} x baseline) |`);
    out.push(`| telemetry answer of 100 MB, Content-Length declared | ${ms(o.telemetryDeclaredMs)} |`);
    out.push(`| telemetry answer of 100 MB, chunked | ${ms(o.telemetryChunkedMs)} |`);
    out.push(`| count the fds of a process holding ${o.fdsHeld}: stat() of /proc/PID/fd | ${ms(o.fdCountStatMs)} |`);
    out.push(`| the same, listing streamed (kernels before 6.2) | ${ms(o.fdCountStreamMs)} |`);
    out.push(`| classify them (256 links sampled) | ${ms(o.fdClassifyMs)} |`);
    out.push(`check's message: ${o.check50MbMessage}`);
  }
  if (r.memory) {
    const m = r.memory;
    out.push('', `memory: ${m.exporters} exporters (${m.hung} to servers that never answer, 5 s timeout), 15 s interval, ${m.seconds} s, ${m.node}, limit ${m.limitMb} MiB (${m.cgroup})`);
    out.push(`command line after start: ${m.cmdline}`);
    out.push(`peak RSS ${m.peakRssMb.toFixed(1)} MB, median ${m.medianRssMb.toFixed(1)} MB; cgroup peak ${m.cgroupPeakMb === null ? 'n/a' : `${m.cgroupPeakMb.toFixed(1)} MB`}; margin to the limit ${m.marginPct.toFixed(0)} %`);
    out.push(`OOM kills: ${m.oomKills ?? 'n/a'}; alive at the end: ${m.alive}; probes: ${m.probes}`);
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  log(`otel-sentinel hardening bench${o.quick ? ' (quick)' : ''}: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-hardening-'));
  const results: { flood?: FloodResult; oversize?: OversizeResult; memory?: MemoryResult } = {};
  try {
    if (o.parts.has('flood')) {
      log('flood ...');
      results.flood = await runFlood(o, dir);
    }
    if (o.parts.has('oversize')) {
      log('oversize ...');
      results.oversize = await runOversize(dir);
    }
    if (o.parts.has('memory')) {
      log(`memory (${o.memoryS} s) ...`);
      results.memory = await runMemory(o, dir);
    }
    log('');
    log(report(results));
    if (o.out) writeFileSync(o.out, `${JSON.stringify({ node: process.version, cpus: cpus().length, ...results }, null, 1)}\n`);
    return 0;
  } finally {
    benchAgent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
