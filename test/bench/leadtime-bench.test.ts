/**
 * The lead-time part of the bench, once: the real collector, the fault backends and otel-sentinel
 * start, every scenario is measured and reported, and the part's budgets are judged. No figure is
 * judged here (timings belong to the bench itself). Needs `npm run build` (pretest runs it).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from '../../bench/bench-options.js';
import { otelcolBinary } from '../helpers/collector/otelcol-binary.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'dist', 'bench', 'run.js');

t.setTimeout(240_000);

t.test('leadtime runs only when named; --lead-runs sets its runs', async (t) => {
  t.notOk(parseBenchArgs([]).parts.has('leadtime'), 'not in the default run');
  const o = parseBenchArgs(['--only', 'leadtime', '--lead-runs', '3']);
  t.same([...o.parts], ['leadtime']);
  t.equal(o.leadRuns, 3);
  t.equal(parseBenchArgs(['--quick']).leadRuns, 1);
  t.throws(() => parseBenchArgs(['--lead-runs', '0']), /--lead-runs expects a positive number/);
});

t.test('--only leadtime --lead-runs 1 measures every scenario on the real collector', async (t) => {
  otelcolBinary(); // built before the bench needs it
  const dir = mkdtempSync(join(tmpdir(), 'bench-leadtime-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'results.json');
  const child = spawn(process.execPath, [entry, '--only', 'leadtime', '--lead-runs', '1', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.equal(code, 0, `exit code 0; stderr: ${stderr.slice(-2000)}`);

  t.match(stdout, /^lead time: the real collector, queue 100 requests, otel-sentinel every 5s \(timeout 3s\), 1 run\(s\)$/m, 'what is measured');
  for (const p of ['otlp_grpc', 'otlp_http']) {
    for (const s of ['refused', 'unavailable', 'hung', 'unauthorized']) {
      t.match(stdout, new RegExp(`^\\| ${p}/${s}: .*\\| [a-z]+: [\\d.]+ / [\\d.]+ s +\\| [\\d.]+ / [\\d.]+ s +\\| -?[\\d.]+ / -?[\\d.]+ s +\\| (yes|no) +\\|$`, 'm'), `a row for ${p}/${s}`);
    }
  }
  const budgets = stdout.split('\n').filter((l) => l.startsWith('| lead time: otel-sentinel first'));
  t.equal(budgets.length, 6, 'a budget for each scenario where the queue holds the outage');
  t.same(budgets.filter((l) => !/ \| (PASS|FAIL) +\|$/.test(l)), [], 'each judged');

  const doc = JSON.parse(readFileSync(out, 'utf8')) as { leadtime: { id: string; sentinelS: number[]; dropS: number[]; queueHolds: boolean }[] };
  t.equal(doc.leadtime.length, 8, 'eight scenarios in the JSON results');
  for (const l of doc.leadtime) {
    t.equal(l.sentinelS.length, 1, `${l.id}: one run`);
    t.ok(l.sentinelS[0]! > 0, `${l.id}: otel-sentinel named the cause`);
    t.ok(l.dropS[0]! > 0, `${l.id}: the collector dropped spans`);
  }
});
