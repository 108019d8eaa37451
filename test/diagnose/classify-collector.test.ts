import t from 'tap';
import { classifyCollector, type CollectorReadings } from '../../src/diagnose/classify-collector.js';

const found = (over: Partial<CollectorReadings> = {}, figures: Partial<CollectorReadings['figures']> = {}): CollectorReadings => ({
  figures: { found: true, pid: 42, open_fds: 10, max_fds: 1024, rss_bytes: 100, memory_limit_bytes: 1000, oom_kills: 0, restarts: 0, ...figures },
  notFound: null,
  unreadable: [],
  cgroupUnavailable: null,
  memoryLimit: { bytes: 1000, source: 'cgroup' },
  oomEvent: null,
  restartEvent: null,
  ...over,
});
const thresholds = { fdRatio: 0.8, memoryRatio: 0.85 };
const reasons = (r: CollectorReadings): string[] => classifyCollector(r, thresholds).problems.map((p) => p.reason);

t.test('a calm process has no problem; its figures pass through', async (t) => {
  const report = classifyCollector(found(), thresholds);
  t.same(report.problems, []);
  t.equal(report.open_fds, 10);
  t.equal(report.memory_limit_bytes, 1000);
});

t.test('files refused to us: one proc_unreadable naming each file, each code once, what is lost', async (t) => {
  const [p] = classifyCollector(found({
    unreadable: [
      { what: '/proc/42/fd', code: 'EACCES', lost: 'open file descriptors' },
      { what: '/proc/42/environ', code: 'EACCES', lost: "the collector's environment" },
    ],
  }), thresholds).problems;
  t.equal(p?.reason, 'proc_unreadable');
  t.match(p?.message, /\/proc\/42\/fd, \/proc\/42\/environ/);
  t.notMatch(p?.message, /EACCES, EACCES/);
});

t.test('no memory cgroup, fds exhausted with their kinds unread, memory past the critical share', async (t) => {
  const r = found({ cgroupUnavailable: 'no memory controller', fdBreakdown: null }, { open_fds: 1024, rss_bytes: 990 });
  const problems = classifyCollector(r, thresholds).problems;
  t.same(problems.map((p) => p.reason), ['cgroup_unavailable', 'fd_exhausted', 'memory_near_limit']);
  t.match(`${problems[1]?.message} ${problems[1]?.fix}`, /not readable/);
  t.equal(problems[2]?.severity, 'critical');
  t.same(reasons(found({ fdBreakdown: { sockets: 700, files: 100, pipes: 10, other: 10, sampled: 256 } }, { open_fds: 820 })), ['fd_near_limit']);
});

t.test('an OOM kill that explains the restart is said once; a restart alone is said as one', async (t) => {
  const restart = { at: 0, facts: { oldPid: 41, newPid: 42 } };
  t.same(reasons(found({ restartEvent: restart, oomEvent: { at: 0, facts: { newPid: 42, how: 'counter', count: 1 } } })), ['oom_killed']);
  t.same(reasons(found({ restartEvent: restart })), ['collector_restarted']);
});

t.test('not found: collector_not_found alone, with what the search saw', async (t) => {
  const r = found({ notFound: { mode: 'name', name: 'otelcol' } }, { found: false, pid: null });
  t.same(reasons(r), ['collector_not_found']);
});
