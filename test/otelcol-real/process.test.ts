/**
 * The collector process as otel-sentinel sees it, on the real collector: open fds and RSS against
 * /proc, memory_near_limit before the memory_limiter refuses data, a SIGKILL and a restart.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { createJudgedWatcher } from '../helpers/judged.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { spawnTethered } from '../helpers/e2e/tethered-child.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { startFaultBackend } from '../helpers/collector/fault-backend.js';
import { parsePage } from '../helpers/collector/metrics-pages.js';
import { dirname, join } from 'node:path';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';

const fdsNow = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const rssNow = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1]) * 1024;
};

async function diagnosis(url: string): Promise<Diagnosis> {
  const res = await fetch(`${url}/api/v1/diagnosis`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as Diagnosis;
}

const sum = (page: string, prefix: string): number =>
  parsePage(page).filter((s) => s.name.startsWith(prefix)).reduce((n, s) => n + s.value, 0);

t.test('open fds and RSS of the collector agree with /proc', async (t) => {
  const collector = await startCollector({ exporters: { debug: { verbosity: 'basic' } } });
  t.teardown(() => collector.stop());
  const sentinel = await startSentinelBeside(collector);
  t.teardown(() => sentinel.stop());

  const d = await diagnosis(sentinel.url);
  t.equal(d.collector.found, true, 'found by name');
  t.equal(d.collector.pid, collector.pid, 'the very process');
  t.ok((d.collector.max_fds ?? 0) > 0, 'its fd limit is read');

  // otel-sentinel's reading, bracketed by two readings of /proc around it
  const watcher = createJudgedWatcher();
  const config = loadSentinelConfig(null, {});
  const cfg = { ...config, collector: { ...config.collector, process: { ...config.collector.process, pid: collector.pid } } };
  for (let i = 0; i < 3; i++) {
    const fds0 = fdsNow(collector.pid);
    const rss0 = rssNow(collector.pid);
    const r = await watcher.inspect(cfg, null, AbortSignal.timeout(10_000));
    const fds1 = fdsNow(collector.pid);
    const rss1 = rssNow(collector.pid);
    t.ok(r.open_fds! >= Math.min(fds0, fds1) && r.open_fds! <= Math.max(fds0, fds1), `open fds ${r.open_fds} within /proc's ${fds0}..${fds1}`);
    t.ok(r.rss_bytes! >= Math.min(rss0, rss1) && r.rss_bytes! <= Math.max(rss0, rss1), `RSS ${r.rss_bytes} within /proc's ${rss0}..${rss1}`);
    const limit = readFileSync(`/proc/${collector.pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    t.equal(r.max_fds, Number(limit?.split(/\s{2,}/)[1]), 'the soft limit of /proc/PID/limits');
  }
});

t.test('a low memory_limiter under load: memory_near_limit shows before the memory limiter refuses data', async (t) => {
  // a backend that fails every export (retryable): the queue holds everything, the heap grows
  const backend = await startFaultBackend({ protocol: 'grpc', mode: 'unavailable' });
  t.teardown(() => backend.close());
  const collector = await startCollector({
    exporters: {
      'otlp_grpc/down': {
        endpoint: backend.endpoint,
        tls: { insecure: true },
        retry_on_failure: { initial_interval: '30s', max_interval: '30s', max_elapsed_time: '0s' },
        sending_queue: { sizer: 'items', queue_size: 50_000_000, num_consumers: 2 },
      },
    },
    processors: { memory_limiter: { check_interval: '200ms', limit_mib: 120 }, batch: { timeout: '100ms' } },
    pipelineProcessors: ['memory_limiter', 'batch'],
  });
  t.teardown(() => collector.stop());
  const sentinel = await startSentinelBeside(collector, { interval: '500ms', timeout: '400ms' });
  t.teardown(() => sentinel.stop());
  const before = await diagnosis(sentinel.url);
  t.equal(before.collector.pid, collector.pid);
  t.notOk(before.collector.problems.some((p) => p.reason === 'memory_near_limit'), `not near the limit at the start (RSS ${before.collector.rss_bytes})`);
  t.equal(before.collector.memory_limit_bytes, 96 * 1024 * 1024, "the limit is the memory_limiter's soft limit: 120 MiB minus the default spike of 24 MiB");

  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 400, intervalMs: 40 });
  t.teardown(() => load.stop());
  let warnedAt: number | null = null;
  let warning = '';
  const refusedAt = await waitFor(
    'the memory limiter to refuse spans',
    async () => {
      // otel-sentinel first: on an equal poll the collector's refusal counts as first
      if (warnedAt === null) {
        const problem = (await diagnosis(sentinel.url)).collector.problems.find((p) => p.reason === 'memory_near_limit');
        if (problem) {
          warnedAt = Date.now();
          warning = problem.message;
        }
      }
      const refused = sum(await collector.metrics(), 'otelcol_processor_memory_limiter_refused_');
      return refused > 0 ? Date.now() : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100, lastSeen: () => `accepted ${load.accepted()}, refused ${load.refused()}` },
  );
  t.not(warnedAt, null, 'memory_near_limit was on the diagnosis before the first refused span');
  t.ok(warnedAt !== null && warnedAt < refusedAt, `warned ${warnedAt === null ? 'never' : `${refusedAt - warnedAt} ms`} before the first refusal`);
  t.match(warning, /of its memory_limiter limit 96\.0 MiB, the memory_limiter's soft limit where it starts refusing data \(limit 120\.0 MiB minus spike limit 24\.0 MiB\)/);
});

t.test('the collector killed with SIGKILL and started again: one restart, the new pid', async (t) => {
  const first = await startCollector({ exporters: { debug: { verbosity: 'basic' } } });
  const sentinel = await startSentinelBeside(first);
  t.teardown(async () => {
    await sentinel.stop();
    await first.stop();
  });
  const d0 = await diagnosis(sentinel.url);
  t.equal(d0.collector.pid, first.pid);
  t.equal(d0.collector.restarts, 0);

  process.kill(first.pid, 'SIGKILL');
  await first.child.exit;
  await waitFor('otel-sentinel to miss the collector', async () =>
    (await diagnosis(sentinel.url)).collector.problems.some((p) => p.reason === 'collector_not_found') ? true : undefined);

  // the same program, name, config file and ports, as a supervisor restarts it
  const second = await spawnTethered('bash', ['-c', 'exec -a "$0" "$@"', first.processName, join(dirname(first.configFile), first.processName), '--config', first.configFile], { stderr: 'ignore' });
  t.teardown(() => second.stop(5_000));
  t.not(second.pid, first.pid);
  const d1 = await waitFor('otel-sentinel to find the new collector', async () => {
    const d = await diagnosis(sentinel.url);
    return d.collector.pid === second.pid ? d : undefined;
  });
  t.equal(d1.collector.found, true);
  t.equal(d1.collector.restarts, 1, 'one restart counted');
  const restarted = d1.collector.problems.find((p) => p.reason === 'collector_restarted');
  t.ok(restarted, 'collector_restarted is reported');
  t.match(restarted?.message, String(second.pid));
  t.notOk(d1.collector.problems.some((p) => p.reason === 'collector_not_found'), 'no longer missing');

  // more rounds do not count it again: watched over three seconds (several collector rounds)
  const pageNow = async (): Promise<number> => sum(await (await fetch(sentinel.metricsUrl)).text(), 'otel_sentinel_collector_restarts_total');
  const seen = new Set<string>();
  for (const until = Date.now() + 3_000; Date.now() < until;) {
    const d = await diagnosis(sentinel.url);
    seen.add(`pid ${d.collector.pid} restarts ${d.collector.restarts}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.same([...seen], [`pid ${second.pid} restarts 1`], 'still one restart, the same pid');
  t.equal(await pageNow(), 1, 'otel_sentinel_collector_restarts_total 1');
});

