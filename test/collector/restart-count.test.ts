/**
 * Restarts counted once each: `locate()` (run on every config reload) and `inspect()` (every
 * round) may both notice that the collector went away at the same time; the one restart they see
 * together is counted once, and a process seen once is never counted again.
 */
import t, { type Test } from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createJudgedWatcher } from '../helpers/judged.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';

function config(): SentinelConfig {
  return {
    source: null,
    listen: { host: '127.0.0.1', port: 0 },
    collector: { configFiles: [], process: { pid: 0, pidFile: '', name: 'otelcol-contrib' }, telemetryUrl: '', useProcessEnvironment: true },
    probe: { intervalMs: 15000, timeoutMs: 5000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: { fdRatio: 0.8, memoryRatio: 0.85, certExpiryMs: 0, slowResponseMs: 2000, queueRatio: 0.7 },
    log: { level: 'info' },
    web: { tlsCertFile: '', tlsKeyFile: '', basicAuthUsers: {}, unauthenticatedPaths: [], enableLifecycle: false, maxConnections: 64 },
  };
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);

/** A fake /proc in a temp dir where collector processes start (pid, start time) and die. */
async function fakeProc(t: Test): Promise<{ proc: string; start: (pid: number, ticks: number) => Promise<void>; kill: (pid: number) => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'sentinel-restarts-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const put = async (rel: string, text: string): Promise<void> => {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  await put('proc/meminfo', 'MemTotal:       16384000 kB\n');
  return {
    proc: join(root, 'proc'),
    start: async (pid, ticks) => {
      await put(`proc/${pid}/stat`, `${pid} (otelcol-contrib) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 50 20 0 0 20 0 12 0 ${ticks} 800000000 60000 18446744073709551615 0 0 0 0 0 0 0\n`);
      await put(`proc/${pid}/comm`, 'otelcol-contrib\n');
      await put(`proc/${pid}/status`, 'Name:\totelcol-contrib\nVmRSS:\t 1024 kB\n');
    },
    kill: (pid) => rm(join(root, 'proc', String(pid)), { recursive: true, force: true }),
  };
}

t.test('a restart noticed by locate() and inspect() at once is counted once', async (t) => {
  const p = await fakeProc(t);
  await p.start(100, 5000);
  const w = createJudgedWatcher({ procRoot: p.proc, sysRoot: join(p.proc, 'nosys') });
  t.equal((await w.inspect(config(), null, signal())).restarts, 0, 'the first process seen is no restart');
  await p.kill(100);
  await p.start(200, 6000);
  // a config reload locates the collector while the round inspects it
  const [located, report] = await Promise.all([w.locate(config()), w.inspect(config(), null, signal())]);
  t.equal(located?.pid, 200);
  t.equal(report.pid, 200);
  const again = await w.inspect(config(), null, signal());
  t.equal(again.restarts, 1, 'one restart, one count');
  t.equal(again.problems.filter((x) => x.reason === 'collector_restarted').length, 1);
});

t.test('every restart seen between two looks is counted, and a gap without a collector is one restart', async (t) => {
  const p = await fakeProc(t);
  await p.start(100, 5000);
  const w = createJudgedWatcher({ procRoot: p.proc, sysRoot: join(p.proc, 'nosys') });
  await w.inspect(config(), null, signal());
  for (let i = 1; i <= 5; i++) {
    await p.kill(100 * i);
    // while it is gone, looked at from both sides
    await Promise.all([w.locate(config()), w.inspect(config(), null, signal()), w.inspect(config(), null, signal())]);
    await p.start(100 * (i + 1), 5000 + i * 100);
    await Promise.all([w.locate(config()), w.inspect(config(), null, signal())]);
  }
  t.equal((await w.inspect(config(), null, signal())).restarts, 5, 'five restarts, five counts');
  // the same pid back with a new start time is a restart too (pid reuse)
  await p.kill(600);
  await p.start(600, 9000);
  t.equal((await w.inspect(config(), null, signal())).restarts, 6);
});
