import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { startHttpServer, startSilentServer } from '../helpers/servers.js';
import { collectorYaml } from '../helpers/collector-yaml.js';

interface Setup {
  readonly sentinel: string;
  readonly dir: string;
}

/**
 * A healthy exporter and, with `slow`, one whose backend never answers within probe.timeout while the
 * exporter would wait 30 s (probe_timeout, a warning), watched for a collector that is not there.
 */
async function setup(t: Test, opts: { slow?: boolean } = {}): Promise<Setup> {
  const ok = await startHttpServer();
  t.teardown(() => ok.close());
  const exporters: Record<string, unknown> = { 'otlphttp/ok': { endpoint: `http://127.0.0.1:${ok.port}` } };
  if (opts.slow) {
    const slow = await startSilentServer();
    t.teardown(() => slow.close());
    exporters['otlphttp/slow'] = { endpoint: `http://127.0.0.1:${slow.port}`, timeout: '30s' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-check-flags-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const collector = join(dir, 'collector.yaml');
  writeFileSync(collector, collectorYaml(exporters));
  const sentinel = join(dir, 'sentinel.yaml');
  // pid 2^22-1 is above any pid_max: the process is never there
  writeFileSync(
    sentinel,
    `collector:\n  config_files: [${JSON.stringify(collector)}]\n  process: { pid: 4194303 }\n  telemetry_url: ""\n` +
      'probe:\n  timeout: 1s\n',
  );
  return { sentinel, dir };
}

t.test('--no-collector: away from the collector, a healthy pipeline passes', async (t) => {
  const s = await setup(t);
  const without = await runCli(['check', '--config', s.sentinel, '--json']);
  t.equal(without.code, 1, 'the process is looked for and missing: collector_not_found fails the run');
  t.match(without.stdout, 'collector_not_found');
  const away = await runCli(['check', '--config', s.sentinel, '--json', '--no-collector']);
  t.equal(away.code, 0, away.stderr);
  const d = JSON.parse(away.stdout) as { healthy: boolean; collector: { found: boolean; problems: unknown[] }; exporters: Array<{ up: boolean }> };
  t.same([d.healthy, d.collector.found, d.collector.problems, d.exporters.map((e) => e.up)], [true, false, [], [true]]);
  const report = await runCli(['check', '--config', s.sentinel, '--no-collector']);
  t.equal(report.code, 0);
  t.match(report.stdout, 'collector  not inspected (--no-collector)');
  t.match(report.stdout, 'all healthy');
});

t.test('--fail-on: warnings fail by default, not with critical; never always passes', async (t) => {
  const s = await setup(t, { slow: true });
  const base = ['check', '--config', s.sentinel, '--no-collector', '--json'];
  const byDefault = await runCli(base);
  t.equal(byDefault.code, 1, 'a probe_timeout warning fails the run by default');
  const slow = (JSON.parse(byDefault.stdout) as { exporters: Array<{ name: string; problems: Array<{ reason: string; severity: string; message: string; fix: string }> }> }).exporters.find(
    (e) => e.name === 'otlphttp/slow',
  );
  t.match(slow?.problems, [{ reason: 'probe_timeout', severity: 'warning', message: /the probe gave up .*probe\.timeout is 1000 ms; the exporter waits up to 30000 ms/, fix: /probe\.timeout/ }]);
  t.notMatch(slow?.problems[0]?.fix, /^raise exporters/i, 'the exporter is not told to raise a timeout it has');
  t.equal((await runCli([...base, '--fail-on', 'warning'])).code, 1, 'the same, said');
  t.equal((await runCli([...base, '--fail-on', 'critical'])).code, 0, 'no critical problem: passes');
  const report = await runCli([...base.slice(0, 4), '--fail-on', 'critical']);
  t.equal(report.code, 0, 'the same for the report');
  t.match(report.stdout, '1 of 2 exporters with warnings', 'the verdict: nothing is down');
  t.notMatch(report.stdout, /down/i, 'nothing is down');
  t.match(report.stdout, /WARN\s+otlphttp\/slow/, 'a probe that gave up is a warning, not DOWN');
  const unknown = await runCli(['check', '--config', s.sentinel, '--fail-on', 'loud']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, '--fail-on "loud": expected one of warning, critical, never');
  const misplaced = await runCli(['serve', '--fail-on', 'critical']);
  t.equal(misplaced.code, 2);
  t.match(misplaced.stderr, 'belong to "check"');
});

t.test('--fail-on critical still fails on a critical problem; never does not', async (t) => {
  const s = await setup(t);
  const base = ['check', '--config', s.sentinel, '--json'];
  t.equal((await runCli([...base, '--fail-on', 'critical'])).code, 1, 'collector_not_found is critical');
  t.equal((await runCli([...base, '--fail-on', 'never'])).code, 0);
});

t.test('check --json on an unusable configuration prints an error document, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-check-error-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sentinel = join(dir, 'sentinel.yaml');
  writeFileSync(sentinel, 'probe:\n  timeout: soon\n');
  const r = await runCli(['check', '--config', sentinel, '--json']);
  t.equal(r.code, 2);
  const doc = JSON.parse(r.stdout) as { healthy: boolean; error: string; message: string; exit_code: number };
  t.same([doc.healthy, doc.error, doc.exit_code], [false, 'configuration', 2]);
  t.match(doc.message, sentinel);
  t.match(doc.message, 'probe.timeout');
  t.match(r.stderr, 'configuration unusable');

  const s = await setup(t);
  const unknown = await runCli(['check', '--config', s.sentinel, '--json', '--no-collector', '--exporter', 'otlp/nope']);
  t.equal(unknown.code, 2);
  t.match(JSON.parse(unknown.stdout), { error: 'usage', message: /--exporter otlp\/nope: not an OTLP exporter/ });
  const usage = await runCli(['check', '--json', '--fail-on']);
  t.equal(usage.code, 2);
  t.match(JSON.parse(usage.stdout), { error: 'usage', exit_code: 2 });
  const plain = await runCli(['check', '--config', sentinel]);
  t.equal(plain.stdout, '', 'without --json, stdout stays empty');
});
