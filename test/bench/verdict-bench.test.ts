/**
 * The verdict part of the bench, once and small (--quick): on the real collector, each fault's
 * time from the collector's own page showing it to otel-sentinel naming it. No figure is judged
 * here (timings belong to the bench itself): every fault is seen and named, the control never.
 */
import t from 'tap';
import { parseBenchArgs } from '../../bench/bench-options.js';
import { renderReport } from '../../bench/report.js';
import { runVerdictTime } from '../../bench/verdict-time.js';

t.setTimeout(240_000);

t.test('verdict runs only when named', async (t) => {
  t.notOk(parseBenchArgs([]).parts.has('verdict'), 'not in the default run');
  t.same([...parseBenchArgs(['--only', 'verdict']).parts], ['verdict']);
});

t.test('--only verdict --quick: every fault seen by the collector and named by otel-sentinel', async (t) => {
  const lines: string[] = [];
  const results = await runVerdictTime(parseBenchArgs(['--only', 'verdict', '--quick']), (l) => lines.push(l));
  t.same(results.map((r) => r.reason), ['exports_dropped_permanently', 'exports_dropped_permanently', 'exports_dropped_permanently', 'exports_unauthorized', 'exports_stalled']);
  for (const r of results) {
    t.not(r.seenByCollectorMs, null, `${r.exporter}: the collector's page shows the fault`);
    t.not(r.verdictMs, null, `${r.exporter}: otel-sentinel names it`);
    t.equal(r.controlAlarms, 0, `${r.exporter} run: the control never had a problem`);
  }
  t.equal(lines.length, results.length, 'one line per fault');
  const report = renderReport({ compare: null, scale: null, detection: null, endpoints: null, verdict: results });
  t.match(report, /verdict exports_stalled \(connection accepted, no answer\): collector shows it/);
});
