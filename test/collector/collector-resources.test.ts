import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createJudgedWatcher } from '../helpers/judged.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import type { CollectorModel } from '../../src/config/collector-model.js';

/** A child that opens fds or allocates memory on command, and answers one line per command. */
const WORKER = `
const fs = require('fs');
const held = [];
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => {
  const [cmd, arg] = l.split(' ');
  if (cmd === 'fill') {
    let n = fs.readdirSync('/proc/self/fd').length - 1;
    let full = false;
    try { while (n < Number(arg)) { held.push(fs.openSync('/dev/null', 'r')); n++; } } catch { full = true; }
    process.stdout.write((full ? 'full ' : 'fds ') + n + '\\n');
  } else if (cmd === 'alloc') {
    held.push(Buffer.alloc(Number(arg) * 1024 * 1024, 1));
    process.stdout.write('ok\\n');
  }
});
process.stdout.write('ready\\n');
`;

interface Worker {
  readonly child: ChildProcess;
  ask(line: string): Promise<string>;
}

async function worker(t: Test, nofile: number | null): Promise<Worker> {
  const child = nofile === null
    ? spawn(process.execPath, ['-e', WORKER], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } })
    : spawn('sh', ['-c', `ulimit -n ${nofile} && exec "$0" -e "$1"`, process.execPath, WORKER], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('worker exited');
    return r.value;
  };
  t.equal(await next(), 'ready');
  return {
    child,
    ask: async (line) => {
      child.stdin!.write(`${line}\n`);
      return next();
    },
  };
}

function config(pid: number, thresholds: Partial<SentinelConfig['thresholds']> = {}): SentinelConfig {
  return {
    source: null,
    listen: { host: '127.0.0.1', port: 0 },
    collector: { configFiles: [], process: { pid, pidFile: '', name: '' }, telemetryUrl: '', useProcessEnvironment: true },
    probe: { intervalMs: 15000, timeoutMs: 5000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: { fdRatio: 0.8, memoryRatio: 0.85, certExpiryMs: 0, slowResponseMs: 2000, queueRatio: 0.7, ...thresholds },
    log: { level: 'info' },
    web: { tlsCertFile: '', tlsKeyFile: '', basicAuthUsers: {}, unauthenticatedPaths: [], enableLifecycle: false, maxConnections: 64 },
  };
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);
const reasons = (ps: readonly { reason: string }[]): string[] => ps.map((p) => p.reason).filter((r) => r !== 'cgroup_unavailable');

t.test('open fds against a low RLIMIT_NOFILE: near the limit, then exhausted', async (t) => {
  const w0 = await worker(t, 64);
  const pid = w0.child.pid!;
  const watcher = createJudgedWatcher();
  const calm = await watcher.inspect(config(pid), null, signal());
  t.equal(calm.max_fds, 64);
  t.ok(calm.open_fds! < 51, `starts below 80% (${calm.open_fds})`);
  t.same(reasons(calm.problems), []);

  t.match(await w0.ask('fill 56'), /^fds 56$/);
  const near = await watcher.inspect(config(pid), null, signal());
  t.equal(near.open_fds, 56);
  t.same(reasons(near.problems), ['fd_near_limit']);
  const p = near.problems.find((x) => x.reason === 'fd_near_limit')!;
  t.equal(p.severity, 'warning');
  t.equal(p.cause, 'resources');
  t.match(p.message, '56 open file descriptors of its soft limit 64 (88%, threshold 80%)');
  t.match(p.fix, /ulimit -n/);
  t.match(p.fix, /LimitNOFILE=/);
  t.match(p.fix, /--ulimit nofile/);
  t.match(p.fix, /Where the fds go: \d+ sockets, \d+ files, \d+ pipes/);

  // fds inherited with numbers past the limit count too, so "full" may be a little over 64
  const full = /^full (\d+)$/.exec(await w0.ask('fill 100'));
  t.ok(full && Number(full[1]) >= 64, `opened until EMFILE (${full?.[1]})`);
  const out = await watcher.inspect(config(pid), null, signal());
  t.equal(out.open_fds, Number(full?.[1]));
  t.same(reasons(out.problems), ['fd_exhausted']);
  t.equal(out.problems.find((x) => x.reason === 'fd_exhausted')!.severity, 'critical');
  t.match(out.problems.find((x) => x.reason === 'fd_exhausted')!.fix, /[4-9]\d files/, 'the /dev/null opens show up as files');
});

t.test('memory growing toward the memory_limiter limit_mib', async (t) => {
  const w0 = await worker(t, null);
  const pid = w0.child.pid!;
  const watcher = createJudgedWatcher();
  const before = await watcher.inspect(config(pid), null, signal());
  const rssMib = Math.ceil(before.rss_bytes! / 1024 / 1024);
  // room for 100 MiB more: below 85% now, well past it after allocating 160 MiB
  const limitMib = rssMib + 100;
  const model: CollectorModel = { files: [], exporters: [], telemetryUrl: '', memoryLimiter: { limitMib } };
  const calm = await watcher.inspect(config(pid), model, signal());
  const hard = limitMib * 1024 * 1024;
  t.equal(calm.memory_limit_bytes, hard - Math.floor(hard / 5), 'the memory_limiter is the smallest limit: its soft limit, the default spike (20%) below limit_mib');
  t.same(reasons(calm.problems), []);

  t.equal(await w0.ask('alloc 160'), 'ok');
  const high = await watcher.inspect(config(pid), model, signal());
  const ratio = high.rss_bytes! / high.memory_limit_bytes!;
  t.ok(ratio >= 0.85, `rss ratio ${ratio}`);
  const p = high.problems.find((x) => x.reason === 'memory_near_limit');
  t.ok(p, 'memory_near_limit reported');
  t.equal(p?.severity, ratio >= 0.95 ? 'critical' : 'warning');
  t.match(p?.message, `of its memory_limiter limit ${((hard - Math.floor(hard / 5)) / 1024 / 1024).toFixed(1)} MiB, the memory_limiter's soft limit ` +
    `where it starts refusing data (limit ${limitMib.toFixed(1)} MiB minus spike limit ${(Math.floor(hard / 5) / 1024 / 1024).toFixed(1)} MiB)`);
  t.match(p?.fix, /processors\.memory_limiter\.limit_mib/);
  t.match(p?.fix, /soft limit \(`limit_mib - spike_limit_mib`/);

  const spiked: CollectorModel = { ...model, memoryLimiter: { limitMib, spikeLimitMib: 10 } };
  t.equal((await watcher.inspect(config(pid), spiked, signal())).memory_limit_bytes, (limitMib - 10) * 1024 * 1024, 'spike_limit_mib set: limit_mib minus it');

  const pct: CollectorModel = { ...model, memoryLimiter: { limitPercentage: 50 } };
  const byPct = await watcher.inspect(config(pid), pct, signal());
  t.ok(byPct.memory_limit_bytes! > limitMib * 1024 * 1024, 'limit_percentage is taken of the cgroup limit or host memory');
});

t.test('an aborted round still answers, with what it had', async (t) => {
  const w0 = await worker(t, null);
  const ac = new AbortController();
  ac.abort();
  const r = await createJudgedWatcher().inspect(config(w0.child.pid!), null, ac.signal);
  t.equal(r.found, true);
  t.equal(r.pid, w0.child.pid);
  t.equal(r.open_fds, null);
});
