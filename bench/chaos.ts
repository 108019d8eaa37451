/**
 * A compressed day of chaos beside the real collector (test/otelcol): otel-sentinel runs as its
 * own `serve` child process, watching a real collector whose config file sits in a ConfigMap-style
 * directory (`config.yaml -> ..data/config.yaml`, `..data -> ..data_<n>`), while a driver loop
 *
 * - kills the collector with SIGKILL and starts it again,
 * - swaps the config by replacing the `..data` symlink (valid swaps add or drop an exporter, broken
 *   ones are not YAML; a broken one is always followed by a valid one, as a fixed ConfigMap would be),
 * - flaps loopback backends between healthy and each fault,
 * - rotates the certificate of a TLS backend (first the server, then the CA file the exporter trusts),
 * - changes what an exporter's host name resolves to. With `dns: 'namespace'` (the process runs in
 *   network and mount namespaces of its own, see `enterDnsNamespace`) the host name stays and the
 *   answers change: a loopback DNS stub on 127.0.0.1:53, named by a bind-mounted /etc/resolv.conf,
 *   answers another address (a second backend on 127.0.0.2, or 127.0.0.3 where nothing listens),
 *   NXDOMAIN or SERVFAIL, then 127.0.0.1 again. Otherwise (`dns: 'names'`) the host changes from
 *   `localhost` to a `*.invalid` name (no answer: cause endpoint, `dns_not_found`) and back.
 *
 * After each change it waits for the diagnosis to show it: a reload applied or rejected with
 * `otel_sentinel_config_last_reload_successful` set, a flipped exporter down with the right cause
 * (or up again). It samples the daemon's RSS and open descriptors (/proc/PID/status, /proc/PID/fd)
 * and the longest `otel_sentinel_probe_duration_seconds{phase="total"}` it ever shows, and checks
 * the daemon never exits. All traffic stays on loopback.
 */
import { spawn, spawnSync, type ChildProcess, execFileSync } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { createServer as createHttpServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTethered, type TetheredChild } from '../test/helpers/e2e/tethered-child.js';
import { collectorConfig } from '../test/helpers/collector/collector-config.js';
import { startFaultBackend, type FaultBackend, type FaultMode } from '../test/helpers/collector/fault-backend.js';
import { otelcolBinary } from '../test/helpers/collector/otelcol-binary.js';
import { startDnsAnswerStub, type DnsAnswer, type RunningDnsAnswerStub } from '../test/helpers/dns-answer-stub.js';
import { RCODE } from '../test/helpers/dns-stub.js';
import { issueCertAsync, makeCaAsync } from '../test/helpers/certs.js';
import { stopChild } from './stop-child.js';
import { SHIPPED_BIN } from './shipped-bin.js';

export interface ChaosOptions {
  /** stop after this many probes (sum of otel_sentinel_probes_total) ... */
  readonly probes: number;
  /** ... or after this long, whichever comes first */
  readonly durationMs: number;
  /** flapping backends (half gRPC, half OTLP/HTTP), besides the fixed ones */
  readonly exporters: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** RSS/fd sample period */
  readonly sampleMs: number;
  readonly warmupMs: number;
  /** a line of progress */
  readonly log?: (line: string) => void;
  readonly seed?: number;
  /**
   * how DNS answers change: 'namespace' when this process runs in network and mount namespaces of
   * its own (see `enterDnsNamespace`), else 'names' (default)
   */
  readonly dns?: 'namespace' | 'names';
}

export interface ChaosSample {
  readonly seconds: number;
  readonly probes: number;
  readonly rssBytes: number;
  readonly fds: number;
  readonly fdKinds: Readonly<Record<string, number>>;
}

export interface ChaosReport {
  readonly probes: number;
  readonly seconds: number;
  readonly samples: readonly ChaosSample[];
  readonly timeoutSeconds: number;
  /** the longest whole-probe duration the daemon ever showed */
  readonly maxProbeSeconds: number;
  /** the exporter (and phases) of that probe */
  readonly maxProbeWhere: string;
  /** the daemon's longest event-loop delay seen (nodejs_eventloop_lag_max_seconds) */
  readonly maxLoopLagSeconds: number;
  readonly kills: number;
  readonly reloads: { valid: number; validApplied: number; broken: number; brokenRejected: number };
  readonly flips: { total: number; right: number; wrong: readonly string[] };
  readonly rotations: { total: number; right: number };
  readonly dnsChanges: { total: number; right: number };
  /** how DNS answers were changed (ChaosOptions.dns), and the changes of each kind */
  readonly dnsMode: 'namespace' | 'names';
  readonly dnsKinds: Readonly<Record<string, number>>;
  /** restarts the daemon counted (otel_sentinel_collector_restarts_total) */
  readonly restartsSeen: number;
  /** null while it ran to the end; else how it exited */
  readonly daemonExit: string | null;
  readonly exitAfterSigterm: number | null;
  readonly rss: { before: number; after: number; growth: number };
  /** growth: of the floor (the fewest open in a window) */
  readonly fds: { before: number; after: number; floorBefore: number; floorAfter: number; growth: number; max: number; kindsBefore: Readonly<Record<string, number>>; kindsAfter: Readonly<Record<string, number>> };
}

const HOST = '127.0.0.1';
const GROWTH_LIMIT = 0.05;

/** a small seeded generator (mulberry32), so a run can be repeated */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

/** every sample of a family in Prometheus text: [labels, value] */
function samplesOf(text: string, name: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    out.push([rest[0] === '{' ? rest.slice(0, rest.indexOf('}') + 1) : '', value]);
  }
  return out;
}
const sumOf = (text: string, name: string): number => samplesOf(text, name).reduce((s, [, v]) => s + v, 0);

function procRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}
function procFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** open descriptors by kind: socket, pipe, anon_inode:<what>, file */
function procFdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let link = 'gone';
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        // closed meanwhile
      }
      const kind = link.startsWith('/') ? 'file' : link.replace(/:\[?\d+\]?$/, '').replace(/^anon_inode:\[?([^\]]*)\]?$/, 'anon_inode:$1');
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  } catch {
    // the process is gone
  }
  return kinds;
}

/**
 * A CA and a server certificate for 127.0.0.1 signed by it, made without holding up the event
 * loop: the backends share this process's loop, and a loop held up by openssl would make them
 * late to answer, which is not what a rotation is about.
 */
async function makeCerts(dir: string, name: string): Promise<{ ca: string; cert: string; key: string }> {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const ca = await makeCaAsync(d, 'ca');
  const day = 86_400_000;
  const server = await issueCertAsync(d, 'ca', {
    name: 'server', cn: '127.0.0.1', san: 'IP:127.0.0.1', start: new Date(Date.now() - day), end: new Date(Date.now() + 400 * day),
  });
  return { ca: ca.cert, cert: server.cert, key: server.key };
}

/** An OTLP/HTTP backend over TLS whose certificate can be replaced while it runs (same port). */
async function startRotatingBackend(cert: string, key: string): Promise<{ port: number; rotate(cert: string, key: string): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: HttpsServer = createHttpsServer({ cert, key }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return {
    port: (server.address() as AddressInfo).port,
    rotate(c, k) {
      server.setSecureContext({ cert: c, key: k });
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, HOST, r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A directory laid out as Kubernetes mounts a ConfigMap; `swap()` replaces `..data` atomically. */
function configMapDir(root: string, file: string): { path: string; swap(content: string): void } {
  let n = 0;
  const swap = (content: string): void => {
    const old = existsSync(join(root, '..data')) ? readdirSync(root).filter((e) => e.startsWith('..data_')) : [];
    const next = `..data_${++n}`;
    mkdirSync(join(root, next));
    writeFileSync(join(root, next, file), content);
    symlinkSync(next, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));
    if (!existsSync(join(root, file))) symlinkSync(join('..data', file), join(root, file));
    for (const o of old) rmSync(join(root, o), { recursive: true, force: true });
  };
  return { path: join(root, file), swap };
}

/** the cause the diagnosis must name for a backend in this mode (null: up) */
export function expectedCause(mode: FaultMode, protocol: 'grpc' | 'http'): string | null {
  switch (mode) {
    case 'healthy':
      return null;
    case 'refused':
      return 'network';
    case 'unavailable':
    case 'throttled':
    case 'silent':
      return 'backend';
    case 'unauthorized':
      return 'auth';
    case 'not_found':
      return protocol === 'grpc' ? 'protocol' : 'endpoint';
  }
}

const MODES: readonly FaultMode[] = ['healthy', 'unavailable', 'throttled', 'not_found', 'unauthorized', 'silent', 'refused'];

/** The host name the DNS exporter dials when the answers change (dns: 'namespace'). */
export const CHAOS_DNS_NAME = 'backend.chaos.test';
/** Set by the parent that made this process's namespaces: `<net ns>|<mount ns>` as the parent saw them. */
export const NAMESPACE_ENV = 'OTEL_SENTINEL_CHAOS_OUTER_NS';

/** `net:[...]|mnt:[...]` of this process. */
export function namespaceIds(): string {
  return `${readlinkSync('/proc/self/ns/net')}|${readlinkSync('/proc/self/ns/mnt')}`;
}

/**
 * The `unshare` flags that give this process network and mount namespaces of its own: as root
 * those two; otherwise inside a user namespace of its own, where it is root (when the kernel
 * allows unprivileged user namespaces). Null when neither works.
 */
export function unshareFlags(): string[] | null {
  const tries = process.getuid?.() === 0 ? [['--net', '--mount'], ['--user', '--map-root-user', '--net', '--mount']] : [['--user', '--map-root-user', '--net', '--mount']];
  for (const flags of tries) {
    const r = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) return flags;
  }
  return null;
}

/**
 * Readies the network and mount namespaces this process runs in (made for it by
 * `unshare --net --mount`, as root) for the DNS stub: loopback up, /etc/resolv.conf bind-mounted
 * (in this mount namespace only) to a file naming only 127.0.0.1, the name not shadowed by
 * /etc/hosts and `hosts:` in /etc/nsswitch.conf asking DNS. Throws, saying what is wrong, when it
 * cannot be: above all when the namespaces are not this process's own.
 */
export function enterDnsNamespace(dir: string): void {
  const outer = process.env[NAMESPACE_ENV] ?? '';
  const [outerNet, outerMnt] = outer.split('|');
  const [net, mnt] = namespaceIds().split('|');
  if (!outerNet || !outerMnt || net === outerNet || mnt === outerMnt) {
    throw new Error(`not in network and mount namespaces of its own (${net}, ${mnt}; the parent's: ${outer || 'unknown'}): run it under unshare --net --mount`);
  }
  execFileSync('ip', ['link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const hostsLine = /^hosts:(.*)$/m.exec(readFileSync('/etc/nsswitch.conf', 'utf8'))?.[1] ?? '';
  if (!/\bdns\b/.test(hostsLine)) throw new Error(`/etc/nsswitch.conf: the hosts: line (${hostsLine.trim()}) does not ask DNS`);
  const shadowed = readFileSync('/etc/hosts', 'utf8').split('\n').some((l) => l.replace(/#.*/, '').split(/\s+/).slice(1).includes(CHAOS_DNS_NAME));
  if (shadowed) throw new Error(`/etc/hosts names ${CHAOS_DNS_NAME}: the DNS stub would never be asked`);
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\n');
  execFileSync('mount', ['--bind', resolv, '/etc/resolv.conf'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** An OTLP/HTTP backend on another loopback address (same port as another one): it counts what it got. */
async function startPlainBackend(host: string, port: number): Promise<{ requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return {
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface ExporterView {
  readonly name: string;
  readonly state: string;
  readonly problems: ReadonlyArray<{ cause: string; reason: string; severity: string }>;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const random = rng(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-chaos-'));
  const closers: Array<() => Promise<void>> = [];
  let collector: TetheredChild | null = null;
  let daemon: ChildProcess | null = null;
  try {
    // backends: the flapping ones, one rotating TLS one, one healthy one the DNS name points at
    const flapping: Array<{ id: string; protocol: 'grpc' | 'http'; backend: FaultBackend }> = [];
    for (let i = 0; i < o.exporters; i++) {
      const protocol = i % 2 === 0 ? 'grpc' : 'http';
      const backend = await startFaultBackend({ protocol });
      closers.push(() => backend.close());
      flapping.push({ id: `${protocol === 'grpc' ? 'otlp' : 'otlphttp'}/flap-${i + 1}`, protocol, backend });
    }
    const certsDir = join(dir, 'certs');
    let generation = 1;
    const first = await makeCerts(certsDir, `gen-${generation}`);
    const caFile = join(dir, 'trusted-ca.pem');
    writeFileSync(caFile, first.ca);
    const rotating = await startRotatingBackend(first.cert, first.key);
    closers.push(() => rotating.close());
    const dnsTarget = await startFaultBackend({ protocol: 'http' });
    closers.push(() => dnsTarget.close());
    const dnsMode = o.dns ?? 'names';
    let dnsStub: RunningDnsAnswerStub | null = null;
    let dnsSecond: { requests(): number; close(): Promise<void> } | null = null;
    if (dnsMode === 'namespace') {
      enterDnsNamespace(dir);
      const stub = await startDnsAnswerStub({ name: CHAOS_DNS_NAME, answer: { address: '127.0.0.1' }, host: '127.0.0.1', port: 53 });
      dnsStub = stub;
      closers.push(() => stub.close());
      const second = await startPlainBackend('127.0.0.2', dnsTarget.port);
      dnsSecond = second;
      closers.push(() => second.close());
      // what the stub answers is what the system resolver (glibc, as the daemon asks it) returns
      const seen = async (): Promise<string> => (await dnsPromises.lookup(CHAOS_DNS_NAME, { all: true })).map((a) => a.address).join(',');
      const first = await seen();
      stub.set({ address: '127.0.0.2' });
      const next = await seen();
      stub.set({ address: '127.0.0.1' });
      if (first !== '127.0.0.1' || next !== '127.0.0.2') throw new Error(`the system resolver does not return the DNS stub's answers (${first}, then ${next})`);
      log(`chaos: DNS answers for ${CHAOS_DNS_NAME} change at a loopback DNS stub (own network namespace)`);
    } else {
      log('chaos: DNS changes swap the host name for a *.invalid one (no namespace of its own for a DNS stub)');
    }
    const dnsKinds: Record<string, number> = {};
    const extra = await startFaultBackend({ protocol: 'http' });
    closers.push(() => extra.close());

    const receiverPort = await freePort();
    const telemetryPort = await freePort();
    // the exporter's own timeout is shorter than the probe's, so a silent backend fails the export
    const fast = { timeout: `${Math.max(10, Math.floor(o.timeoutMs / 2))}ms` };
    let dnsName = dnsMode === 'namespace' ? CHAOS_DNS_NAME : 'localhost';
    let withExtra = false;
    const collectorYaml = (): string => {
      const exporters: Record<string, Record<string, unknown>> = {};
      for (const f of flapping) exporters[f.id] = f.protocol === 'grpc' ? { endpoint: f.backend.endpoint, tls: { insecure: true }, ...fast } : { endpoint: f.backend.endpoint, ...fast };
      exporters['otlphttp/rotating'] = { endpoint: `https://${HOST}:${rotating.port}`, tls: { ca_file: caFile }, ...fast };
      exporters['otlphttp/dns'] = { endpoint: `http://${dnsName}:${dnsTarget.port}`, ...fast };
      if (withExtra) exporters['otlphttp/extra'] = { endpoint: extra.endpoint, ...fast };
      return JSON.stringify(collectorConfig({ exporters, receiverPort, telemetryPort }), null, 1);
    };
    const cm = configMapDir(join(dir, 'configmap'), 'config.yaml');
    mkdirSync(join(dir, 'configmap'));
    cm.swap(collectorYaml());

    // run through a symlink of a name of its own (within the 15 bytes of a comm), so that nothing
    // looking for a collector by the default names takes this one for it
    const processName = `occ-${process.pid}`;
    const binary = join(dir, processName);
    symlinkSync(otelcolBinary(), binary);
    const startCollector = async (): Promise<void> => {
      collector = await spawnTethered('bash', ['-c', 'exec -a "$0" "$@"', processName, binary, '--config', cm.path], { stderr: 'ignore' });
    };
    const killCollector = async (): Promise<void> => {
      const c = collector as TetheredChild | null;
      if (!c) return;
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      await c.exit;
      collector = null;
    };
    closers.push(async () => {
      const c = collector as TetheredChild | null;
      if (c) await c.stop(2_000);
    });
    await startCollector();

    const port = await freePort();
    const sentinelFile = join(dir, 'sentinel.yaml');
    writeFileSync(
      sentinelFile,
      [
        `listen: "${HOST}:${port}"`,
        'collector:',
        `  config_files: [${JSON.stringify(cm.path)}]`,
        '  process:',
        `    name: ${JSON.stringify(processName)}`,
        'probe:',
        `  interval: ${o.intervalMs}ms`,
        `  timeout: ${o.timeoutMs}ms`,
        'log:',
        '  level: error',
      ].join('\n'),
    );
    const bin = SHIPPED_BIN;
    let stderr = '';
    // killed with this process when it exits without the teardown below
    daemon = spawn(process.execPath, [bin, 'serve', '--config', sentinelFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const d = daemon;
    d.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    const killDaemon = (): void => {
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
    };
    process.once('exit', killDaemon);
    closers.push(async () => {
      process.off('exit', killDaemon);
    });
    const base = `http://${HOST}:${port}`;
    const alive = (): void => {
      if (d.exitCode !== null || d.signalCode !== null) throw new Error(`the daemon exited (${d.exitCode ?? d.signalCode}): ${stderr}`);
    };
    const get = async (path: string): Promise<string> => {
      alive();
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      return res.status === 200 ? text : '';
    };
    const until = async <T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T | undefined> => {
      const end = Date.now() + ms;
      for (;;) {
        const v = await f().catch((err: unknown) => {
          if (d.exitCode !== null || d.signalCode !== null) throw err;
          return undefined;
        });
        if (v !== undefined) return v;
        if (Date.now() > end) {
          log(`chaos: gave up waiting for ${what}`);
          return undefined;
        }
        await sleep(100);
      }
    };
    await until('the daemon to be ready', 30_000, async () => ((await get('/readyz')) ? true : undefined));

    const diagnosis = async (): Promise<Map<string, ExporterView>> => {
      const doc = JSON.parse((await get('/api/v1/diagnosis')) || '{"exporters":[]}') as { exporters: ExporterView[] };
      return new Map(doc.exporters.map((e) => [e.name, e]));
    };
    const matches = (e: ExporterView | undefined, cause: string | null, reason?: string): boolean => {
      if (!e) return false;
      if (cause === null) return e.state === 'up';
      const critical = e.problems.filter((p) => p.severity === 'critical');
      return (
        e.state === 'down' && critical.length > 0 && critical.every((p) => p.cause === cause) && (reason === undefined || critical.some((p) => p.reason === reason))
      );
    };
    const settleMs = o.intervalMs * 20 + 5_000;
    /** waits until the exporter shows `cause` (and `reason`, when given); false when it never did */
    const shows = async (name: string, cause: string | null, reason?: string, also?: () => boolean): Promise<boolean> => {
      const ok =
        (await until(`${name} to show ${cause ?? 'up'}${reason ? `/${reason}` : ''}`, settleMs, async () =>
          matches((await diagnosis()).get(name), cause, reason) && (also ? also() : true) ? true : undefined,
        )) === true;
      if (!ok) {
        const e = (await diagnosis()).get(name);
        await scrape().catch(() => undefined);
        const endpoint = (e as unknown as { endpoint?: string } | undefined)?.endpoint;
        log(`chaos: ${name} (${endpoint}) shows ${e?.state}: ${JSON.stringify(e?.problems.map((p) => `${p.cause}/${p.reason}/${p.severity}`))}; last reload successful: ${reloadGauge}`);
      }
      return ok;
    };

    let maxProbe = 0;
    let maxProbeWhere = '';
    let probes = 0;
    let restartsSeen = 0;
    let reloadGauge = NaN;
    let maxLag = 0;
    const scrape = async (): Promise<void> => {
      const text = await get('/metrics');
      if (!text) return;
      const durations = samplesOf(text, 'otel_sentinel_probe_duration_seconds');
      const lag = sumOf(text, 'nodejs_eventloop_lag_max_seconds') || 0;
      for (const [labels, v] of durations) if (labels.includes('phase="total"') && v > maxProbe) {
        maxProbe = v;
        // its phases, from the same page, and the longest loop delay since the page before
        const exporter = /exporter="([^"]*)"/.exec(labels)?.[1] ?? '';
        const phases = durations.filter(([l]) => l.includes(`exporter="${exporter}"`) && !l.includes('phase="total"')).map(([l, x]) => `${/phase="([^"]*)"/.exec(l)?.[1]} ${x}`);
        maxProbeWhere = `${labels} (${flapping.find((f) => f.id === exporter)?.backend.mode() ?? 'fixed'} when seen): ${phases.join(', ')}; event-loop delay up to ${lag} s in that scrape`;
      }
      probes = sumOf(text, 'otel_sentinel_probes_total');
      restartsSeen = sumOf(text, 'otel_sentinel_collector_restarts_total');
      reloadGauge = sumOf(text, 'otel_sentinel_config_last_reload_successful');
      maxLag = Math.max(maxLag, sumOf(text, 'nodejs_eventloop_lag_max_seconds') || 0);
    };

    const samples: ChaosSample[] = [];
    const started = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await scrape().catch(() => undefined);
        // the diagnosis also carries every exporter's last whole-probe duration
        await diagnosis()
          .then((m) => {
            for (const e of m.values()) {
              const t = (e as unknown as { phases?: { total_seconds?: number | null } }).phases?.total_seconds;
              if (typeof t === 'number' && t > maxProbe) {
                maxProbe = t;
                const mode = flapping.find((f) => f.id === e.name)?.backend.mode();
                maxProbeWhere = `${e.name} (${mode ?? 'fixed'}): ${JSON.stringify((e as unknown as { phases: unknown }).phases)} ${e.problems.map((p) => p.reason).join(',')}`;
              }
            }
          })
          .catch(() => undefined);
        samples.push({ seconds: (Date.now() - started) / 1000, probes, rssBytes: procRss(d.pid!), fds: procFds(d.pid!), fdKinds: procFdKinds(d.pid!) });
        const s = samples.at(-1)!;
        if (samples.length % 10 === 0) log(`chaos: ${s.seconds.toFixed(0)} s, ${s.probes} probes, RSS ${(s.rssBytes / 1048576).toFixed(1)} MB, ${s.fds} fds`);
        await sleep(o.sampleMs);
      }
    })();

    const reloads = { valid: 0, validApplied: 0, broken: 0, brokenRejected: 0 };
    const flips = { total: 0, right: 0, wrong: [] as string[] };
    const rotations = { total: 0, right: 0 };
    const dnsChanges = { total: 0, right: 0 };
    let kills = 0;

    const validSwap = async (): Promise<void> => {
      withExtra = !withExtra;
      cm.swap(collectorYaml());
      reloads.valid++;
      const ok = await until('a valid swap to be applied', settleMs, async () => {
        await scrape();
        const names = await diagnosis();
        return reloadGauge === 1 && names.has('otlphttp/extra') === withExtra ? true : undefined;
      });
      if (ok) reloads.validApplied++;
      else flips.wrong.push(`valid swap (extra exporter ${withExtra ? 'added' : 'removed'}) not applied`);
    };
    const brokenSwap = async (): Promise<void> => {
      cm.swap('exporters: [this is not\n  valid: yaml\n');
      reloads.broken++;
      const ok = await until('a broken swap to be rejected', settleMs, async () => {
        await scrape();
        const names = await diagnosis();
        // rejected, and the last good configuration still in force
        return reloadGauge === 0 && names.has('otlphttp/extra') === withExtra && names.has('otlphttp/rotating') ? true : undefined;
      });
      if (ok) reloads.brokenRejected++;
      else flips.wrong.push('broken swap not rejected with the gauge at 0');
      await validSwap();
    };

    const actions: Array<[number, () => Promise<void>]> = [
      [4, async () => {
        // SIGKILL the collector; start it again after a moment
        await killCollector();
        kills++;
        await sleep(random() * 2_000);
        await startCollector();
        // the daemon finds the new process at its next inspection (once per interval); a second
        // kill before that would end a process it never saw, and two restarts would look like one
        const pid = (collector as TetheredChild | null)?.pid;
        const seen = await until(`the daemon to find the restarted collector (pid ${pid})`, settleMs, async () => {
          await scrape();
          const doc = JSON.parse((await get('/api/v1/diagnosis')) || '{}') as { collector?: { pid?: number | null } };
          return doc.collector?.pid === pid && restartsSeen === kills ? true : undefined;
        });
        if (!seen) flips.wrong.push(`collector restart ${kills} (pid ${pid}): ${restartsSeen} restarts counted`);
      }],
      [3, validSwap],
      [2, brokenSwap],
      [8, async () => {
        const f = pick(flapping);
        const mode = pick(MODES.filter((m) => m !== f.backend.mode()));
        await f.backend.setMode(mode);
        flips.total++;
        if (await shows(f.id, expectedCause(mode, f.protocol))) flips.right++;
        else flips.wrong.push(`${f.id} -> ${mode}: ${JSON.stringify((await diagnosis()).get(f.id)?.problems.map((p) => `${p.cause}/${p.reason}`))}`);
      }],
      [2, async () => {
        // a new CA: the server presents its certificate first (untrusted), then the CA file follows
        rotations.total++;
        const next = await makeCerts(certsDir, `gen-${++generation}`);
        rotating.rotate(next.cert, next.key);
        const untrusted = await shows('otlphttp/rotating', 'tls');
        writeFileSync(caFile, next.ca);
        const trusted = await shows('otlphttp/rotating', null);
        if (untrusted && trusted) rotations.right++;
        else flips.wrong.push(`rotation ${generation}: untrusted ${untrusted ? 'seen' : 'missed'}, trusted ${trusted ? 'seen' : 'missed'}`);
        rmSync(join(certsDir, `gen-${generation - 1}`), { recursive: true, force: true });
      }],
      [2, async () => {
        if (dnsStub) {
          // the same host name, another answer: then 127.0.0.1 again
          dnsChanges.total++;
          const kinds: Array<[string, DnsAnswer, string | null, string | undefined]> = [
            ['127.0.0.2', { address: '127.0.0.2' }, null, undefined],
            ['127.0.0.3 (nothing listens)', { address: '127.0.0.3' }, 'network', 'connection_refused'],
            ['NXDOMAIN', { rcode: RCODE.NXDOMAIN }, 'endpoint', 'dns_not_found'],
            ['SERVFAIL', { rcode: RCODE.SERVFAIL }, 'network', 'dns_unavailable'],
          ];
          const [kind, answer, cause, reason] = pick(kinds);
          dnsKinds[kind] = (dnsKinds[kind] ?? 0) + 1;
          const before = dnsSecond!.requests();
          dnsStub.set(answer);
          // up at the new address: its backend must have been asked
          const changed = await shows('otlphttp/dns', cause, reason, cause === null ? () => dnsSecond!.requests() > before : undefined);
          dnsStub.set({ address: '127.0.0.1' });
          const back = await shows('otlphttp/dns', null);
          if (changed && back) dnsChanges.right++;
          else flips.wrong.push(`DNS change ${dnsChanges.total} (${kind}): change ${changed ? 'seen' : 'missed'}, recovery ${back ? 'seen' : 'missed'}`);
          return;
        }
        // the exporter's host now resolves nowhere, then to loopback again
        dnsChanges.total++;
        dnsKinds['*.invalid name'] = (dnsKinds['*.invalid name'] ?? 0) + 1;
        dnsName = `chaos-${dnsChanges.total}.invalid`;
        cm.swap(collectorYaml());
        const gone = await shows('otlphttp/dns', 'endpoint');
        dnsName = 'localhost';
        cm.swap(collectorYaml());
        const back = await shows('otlphttp/dns', null);
        if (gone && back) dnsChanges.right++;
        else flips.wrong.push(`DNS change ${dnsChanges.total}: failure ${gone ? 'seen' : 'missed'}, recovery ${back ? 'seen' : 'missed'}`);
      }],
    ];
    const weight = actions.reduce((s, [w]) => s + w, 0);
    let failure: Error | null = null;
    try {
      // every kind of change once, then at random
      let round = 0;
      while (probes < o.probes && Date.now() - started < o.durationMs) {
        let r = random() * weight;
        const action = round < actions.length ? actions[round]![1] : actions.find(([w]) => (r -= w) < 0)![1];
        round++;
        await action();
        alive();
        await sleep(random() * o.intervalMs * 4);
      }
    } catch (err) {
      failure = err as Error;
    }
    sampling = false;
    await sampler;
    const daemonExit = d.exitCode !== null || d.signalCode !== null ? String(d.exitCode ?? d.signalCode) : null;
    if (failure && daemonExit === null) throw failure;
    const exitAfterSigterm = daemonExit === null ? await stopChild(d, 10_000) : null;

    const total = samples.at(-1)?.seconds ?? 0;
    const warm = Math.min(o.warmupMs / 1000, total / 4);
    const after = samples.filter((s) => s.seconds >= warm && Number.isFinite(s.rssBytes));
    const window = Math.max(1, Math.floor(after.length / 5));
    const head = after.slice(0, window);
    const tail = after.slice(-window);
    const r0 = median(head.map((s) => s.rssBytes));
    const r1 = median(tail.map((s) => s.rssBytes));
    const f0 = median(head.map((s) => s.fds));
    const f1 = median(tail.map((s) => s.fds));
    // probes in flight hold sockets, so the count jumps from sample to sample; a leak raises its floor
    const floor0 = Math.min(...head.map((s) => s.fds));
    const floor1 = Math.min(...tail.map((s) => s.fds));
    return {
      probes,
      seconds: total,
      samples,
      timeoutSeconds: o.timeoutMs / 1000,
      maxProbeSeconds: maxProbe,
      maxProbeWhere,
      maxLoopLagSeconds: maxLag,
      kills,
      reloads,
      flips,
      rotations,
      dnsChanges,
      dnsMode,
      dnsKinds,
      restartsSeen,
      daemonExit,
      exitAfterSigterm,
      rss: { before: r0, after: r1, growth: (r1 - r0) / r0 },
      fds: { before: f0, after: f1, floorBefore: floor0, floorAfter: floor1, growth: (floor1 - floor0) / floor0, max: Math.max(...after.map((s) => s.fds)), kindsBefore: head[0]?.fdKinds ?? {}, kindsAfter: tail.at(-1)?.fdKinds ?? {} },
    };
  } finally {
    const dd = daemon as ChildProcess | null;
    if (dd && dd.exitCode === null && dd.signalCode === null) dd.kill('SIGKILL');
    for (const c of closers.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The verdicts of a run: each invariant, and whether it held. */
export function chaosVerdicts(r: ChaosReport): Array<{ what: string; ok: boolean }> {
  return [
    { what: `the daemon never exited (${r.daemonExit ?? 'alive'}), and exited 0 on SIGTERM (${r.exitAfterSigterm})`, ok: r.daemonExit === null && r.exitAfterSigterm === 0 },
    {
      // every probe ends by its deadline; the loop delay is shown beside it, not added to it
      what: `no probe past its deadline: longest ${r.maxProbeSeconds.toFixed(3)} s, probe.timeout ${r.timeoutSeconds} s (margin ${(r.timeoutSeconds - r.maxProbeSeconds).toFixed(3)} s); longest event-loop delay ${r.maxLoopLagSeconds.toFixed(3)} s`,
      ok: r.maxProbeSeconds <= r.timeoutSeconds,
    },
    { what: `valid swaps applied (gauge 1): ${r.reloads.validApplied}/${r.reloads.valid}`, ok: r.reloads.validApplied === r.reloads.valid },
    { what: `broken swaps rejected (gauge 0, last good config kept): ${r.reloads.brokenRejected}/${r.reloads.broken}`, ok: r.reloads.brokenRejected === r.reloads.broken },
    { what: `backend flips reported with the right cause: ${r.flips.right}/${r.flips.total}`, ok: r.flips.right === r.flips.total },
    { what: `certificate rotations (untrusted, then trusted): ${r.rotations.right}/${r.rotations.total}`, ok: r.rotations.right === r.rotations.total },
    {
      what: `DNS changes (${r.dnsMode === 'namespace' ? 'answers of a DNS stub' : 'host name swapped for a *.invalid one'}, then loopback again): ${r.dnsChanges.right}/${r.dnsChanges.total}`,
      ok: r.dnsChanges.right === r.dnsChanges.total,
    },
    { what: `collector SIGKILLs ${r.kills}, restarts counted by the daemon ${r.restartsSeen}`, ok: r.restartsSeen === r.kills },
    { what: `RSS after warm-up ${(r.rss.before / 1048576).toFixed(1)} -> ${(r.rss.after / 1048576).toFixed(1)} MB (${(r.rss.growth * 100).toFixed(1)} %, limit ${GROWTH_LIMIT * 100} %)`, ok: r.rss.growth < GROWTH_LIMIT },
    {
      what: `open fds after warm-up: floor ${r.fds.floorBefore} -> ${r.fds.floorAfter} (${(r.fds.growth * 100).toFixed(1)} %, limit ${GROWTH_LIMIT * 100} %); median ${r.fds.before} -> ${r.fds.after}, max ${r.fds.max} (probes in flight)`,
      ok: r.fds.growth < GROWTH_LIMIT,
    },
  ];
}
