/**
 * The queue part of the bench, once and small (--quick): for each sizer a queue is filled on the
 * real collector until its first enqueue failure, and the prediction's error is reported and judged
 * as a budget. No figure is judged here (timings belong to the bench itself).
 */
import t from 'tap';
import { parseBenchArgs } from '../../bench/bench-options.js';
import { runQueueEta } from '../../bench/queue-eta.js';
import { budgets, renderReport } from '../../bench/report.js';

t.setTimeout(240_000);

t.test('queue runs only when named', async (t) => {
  t.notOk(parseBenchArgs([]).parts.has('queue'), 'not in the default run');
  t.same([...parseBenchArgs(['--only', 'queue']).parts], ['queue']);
});

t.test('--only queue --quick: every sizer filled until the collector refuses, the prediction compared', async (t) => {
  const lines: string[] = [];
  const results = await runQueueEta(parseBenchArgs(['--only', 'queue', '--quick']), (l) => lines.push(l));
  t.same(results.map((r) => r.sizer), ['requests', 'items', 'bytes']);
  for (const r of results) {
    t.equal(r.runs.length, 1, `${r.sizer}: one run when quick`);
    const run = r.runs[0]!;
    t.ok(run.fullMs !== null && run.fullMs > run.warnedMs, `${r.sizer}: warned at ${run.warnedMs} ms, before the first enqueue failure at ${run.fullMs} ms`);
    t.ok(Number.isFinite(r.worstError) && r.worstError >= 0, `${r.sizer}: error ${r.worstError}`);
  }
  t.equal(lines.length, 3, 'one line per run');
  const report = renderReport({ compare: null, scale: null, detection: null, endpoints: null, queue: results });
  t.match(report, /queue \(sizer bytes, 1 run\(s\)\): seconds_to_full error median \/ worst/);
  const judged = budgets({ compare: null, scale: null, detection: null, endpoints: null, queue: results }).filter((b) => b.name.startsWith('seconds_to_full error'));
  t.same(judged.map((b) => b.name), ['requests', 'items', 'bytes'].map((s) => `seconds_to_full error, worst run < 20 %: sizer ${s}`));
  t.ok(judged.every((b) => typeof b.pass === 'boolean'), 'each judged');
});
