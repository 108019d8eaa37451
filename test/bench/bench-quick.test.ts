/**
 * The bench end to end in its quick form: targets, otel-sentinel, blackbox_exporter and Prometheus
 * all start, every part runs, and the whole table and the budgets checklist are printed. No
 * figure is judged here (timings belong to the bench itself). Needs `npm run build` (pretest runs it).
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnGroup } from '../helpers/e2e/group-tether.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'dist', 'bench', 'run.js');

t.setTimeout(300_000);

t.test('--quick prints the side-by-side table, the absolute figures and every budget', async (t) => {
  t.ok(existsSync(entry), `${entry} is built`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'results.json');
  // its own process group, tied to this process: when tap's timeout kills this test, the bench's
  // `serve` daemons, targets and Prometheus go with it
  const { child, killGroup } = spawnGroup(process.execPath, [entry, '--quick', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(killGroup);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.equal(code, 0, `exit code 0; stderr: ${stderr.slice(-2000)}`);

  const lines = stdout.split('\n');
  t.match(lines[0], /^otel-sentinel vs blackbox_exporter \(quick\)$/, 'title first');
  t.equal(lines.filter((l) => l === 'bench: done').length, 1, 'ends with bench: done');

  // side by side: every probe kind for CPU and RSS, every failure for detection p50 and p99
  for (const kind of ['TCP connect', 'HTTP POST', 'TLS handshake', 'HTTPS POST', 'gRPC (plaintext)', 'gRPC over TLS']) {
    t.match(stdout, new RegExp(`^\\| CPU per probe: ${kind.replace(/[()]/g, '\\$&')} +\\| [\\d.]+ ms +\\| [\\d.]+ ms +\\| `, 'm'), `CPU row for ${kind}`);
    t.match(stdout, new RegExp(`^\\| CPU per probe, first window: ${kind.replace(/[()]/g, '\\$&')} +\\| [\\d.]+ ms +\\| [\\d.]+ ms +\\| `, 'm'), `CPU row of the first window for ${kind}`);
    t.match(stdout, new RegExp(`^\\| RSS while probing: ${kind.replace(/[()]/g, '\\$&')} +\\| [\\d.]+ MB +\\| [\\d.]+ MB +\\| [\\d.]+ +\\|$`, 'm'), `RSS row for ${kind}`);
  }
  for (const failure of ['refused', 'HTTP 503', 'hung', 'TLS cert expired']) {
    for (const q of ['p50', 'p99']) t.match(stdout, new RegExp(`^\\| detection ${q}: ${failure}.* \\| [\\d.]+ s +\\| [\\d.]+ s +\\| `, 'm'), `detection ${q} row for ${failure}`);
  }
  // otel-sentinel alone
  t.match(stdout, /^\| 100 exporters at 15 s: CPU \(% of one core\) +\| [\d.]+ % +\|$/m, 'scale CPU');
  t.match(stdout, /^\| 100 exporters at 15 s: CPU in the first interval after ready +\| [\d.]+ % +\|$/m, 'scale CPU of the first interval');
  t.match(stdout, /^\| 100 exporters at 15 s: schedule lag p50 \/ p99 +\| [\d.]+ ms \/ [\d.]+ ms +\|$/m, 'schedule lag from the histogram');
  // the scale part's baseline: blackbox_exporter asked for the same targets at the same rate
  t.match(stdout, /^\| blackbox_exporter, 100 targets each every 15 s: CPU \(% of one core\) +\| [\d.]+ % \(otel-sentinel [\d.]+x\) +\|$/m, 'blackbox CPU at scale');
  t.match(stdout, /^\| blackbox_exporter, 100 targets each every 15 s: RSS at end \/ peak +\| [\d.]+ MB \/ [\d.]+ MB \(otel-sentinel's peak [\d.]+x\) +\|$/m, 'blackbox RSS at scale');
  t.match(stdout, /^\| blackbox_exporter, 100 targets each every 15 s: probes in \d+ s \(failed\) +\| [1-9]\d* \(0\) +\|$/m, 'blackbox probed every target, none failed');
  // and the Node.js floor: Node's own modules doing the same probes, at the same rate
  t.match(stdout, /^\| the Node.js floor, 100 targets each every 15 s: CPU \(% of one core\) +\| [\d.]+ % \(otel-sentinel [\d.]+x\) +\|$/m, 'floor CPU at scale');
  t.match(stdout, /^\| the Node.js floor, 100 targets each every 15 s: RSS at end \/ peak +\| [\d.]+ MB \/ [\d.]+ MB \(otel-sentinel's peak [\d.]+x\) +\|$/m, 'floor RSS at scale');
  t.match(stdout, /^\| the Node.js floor, 100 targets each every 15 s: probes in \d+ s \(failed\) +\| [1-9]\d* \(0\) +\|$/m, 'the floor probed every target, none failed');
  for (const path of ['/metrics', '/api/v1/diagnosis']) {
    for (const n of [100, 1000]) t.match(stdout, new RegExp(`^\\| ${path} at ${n} exporters: median / p99 .*\\| [\\d.]+ ms / [\\d.]+ ms +\\|$`, 'm'), `${path} latency at ${n}`);
  }
  t.match(stdout, /^\| start to ready, 10 exporters .*\| \d+ ms +\|$/m, 'start to ready');
  t.match(stdout, /^\| idle RSS, 10 exporters .*\| [\d.]+ MB +\|$/m, 'idle RSS');
  // start-up and idle memory beside a bare node measured in the same run
  t.match(stdout, /^\| start: spawn to ready, 10 exporters \/ a bare node's first HTTP 200 \(medians of 2\) +\| \d+ ms \/ \d+ ms \([\d.]+x\) +\|$/m, 'start beside a bare node');
  // the daemon's own steps, read from its `otel-sentinel ready` log line
  t.match(stdout, /^\| start, the daemon's own steps \(medians of 2\) +\| node \d+ ms, cli \d+ ms, modules \d+ ms, config \d+ ms, listening \d+ ms, first_round \d+ ms, total \d+ ms, cpu \d+ ms +\|$/m, 'the start step by step');
  t.match(stdout, /^\| idle RSS after 1 s, 10 exporters \/ a bare node HTTP server +\| [\d.]+ MB \/ [\d.]+ MB +\|$/m, 'idle RSS beside a bare node');
  t.match(stdout, /^\| idle RSS after 1 s, 10 exporters: anonymous \+ file-backed +\| [\d.]+ MB \+ [\d.]+ MB +\|$/m, 'idle RSS split');
  t.match(stdout, /^\| idle RSS after 1 s, a bare node: anonymous \+ file-backed +\| [\d.]+ MB \+ [\d.]+ MB +\|$/m, 'bare node RSS split');
  // and beside blackbox_exporter, started and asked to probe the same targets once
  t.match(stdout, /^\| start: spawn to ready, 10 exporters \/ blackbox_exporter's spawn to one probe of each of the same targets answered \(medians of 2\) +\| \d+ ms \/ \d+ ms \([\d.]+x\) +\|$/m, 'start beside blackbox_exporter');
  t.match(stdout, /^\| idle RSS after 1 s, 10 exporters \/ blackbox_exporter after probing them once: anonymous \+ file-backed +\| [\d.]+ MB \/ [\d.]+ MB: [\d.]+ MB \+ [\d.]+ MB \([\d.]+x\) +\|$/m, 'idle RSS beside blackbox_exporter');
  // and beside the Node.js floor, started to its first round of the same probes
  t.match(stdout, /^\| start: spawn to ready, 10 exporters \/ the Node.js floor's spawn to its first round \(Node's own modules, the same probes; medians of 2\) +\| \d+ ms \/ \d+ ms \([\d.]+x\) +\|$/m, 'start beside the Node.js floor');
  t.match(stdout, /^\| idle RSS after 1 s, 10 exporters \/ the Node.js floor after its first round: anonymous \+ file-backed +\| [\d.]+ MB \/ [\d.]+ MB: [\d.]+ MB \+ [\d.]+ MB \([\d.]+x\) +\|$/m, 'idle RSS beside the Node.js floor');
  // every budget is judged (PASS or FAIL, never n/a: every part ran)
  const head = lines.findIndex((l) => /^\| budget +\| measured +\| result +\|$/.test(l));
  t.ok(head > 0, 'the budgets table');
  const budgets = lines.slice(head + 2).filter((l) => l.startsWith('| '));
  t.equal(budgets.length, 13, 'thirteen budget lines');
  t.same(budgets.filter((l) => !/ \| (PASS|FAIL) +\|$/.test(l)), [], 'every budget measured and judged');

  const doc = JSON.parse(readFileSync(out, 'utf8')) as {
    compare: { kind: string; ours: { probes: number }[]; oursFresh: { probes: number }[]; theirs: unknown[]; theirsFresh: unknown[] }[];
    detection: { target: string; ours: number[]; oursMissed: number; theirs: number[]; theirsMissed: number }[];
    startup: { readyMs: number[]; bareMs: number[]; blackboxMs: number[]; floorMs: number[] };
    scaleFloor: { probes: number; failed: number };
    budgets: unknown[];
  };
  t.equal(doc.compare.length, 6, 'six probe kinds in the JSON results');
  for (const k of doc.compare) {
    t.same([k.ours.length, k.oursFresh.length, k.theirs.length, k.theirsFresh.length], [1, 1, 1, 1], `${k.kind}: both windows of each tool`);
    t.ok(k.ours[0]!.probes > 0 && k.oursFresh[0]!.probes > 0, `${k.kind}: probes counted in both windows`);
  }
  t.equal(doc.detection.length, 4, 'four failures in the JSON results');
  for (const d of doc.detection) {
    t.equal(d.ours.length, 2, `${d.target}: otel-sentinel named the expected cause after both flips`);
    t.equal(d.theirs.length + d.theirsMissed, 2, `${d.target}: both flips accounted for on the blackbox side`);
  }
  t.same([doc.startup.readyMs.length, doc.startup.bareMs.length, doc.startup.blackboxMs.length, doc.startup.floorMs.length], [2, 2, 2, 2], 'two starts of each in the startup part');
  t.ok(doc.scaleFloor.probes > 0 && doc.scaleFloor.failed === 0, 'the floor probed at scale, none failed');
  t.equal(doc.budgets.length, 13);
});
