/**
 * `${env:X}` is resolved from the collector's own environment. When that cannot be read (no
 * collector process found yet, or its /proc/PID/environ not readable) a variable otel-sentinel's
 * environment lacks may well be set in the collector's: it cannot be checked, as an unreadable
 * `${file:}` cannot, and is never reported as unset (a critical missing_credentials or
 * missing_endpoint for a collector that has its token would be a false alarm). Where otel-sentinel's
 * own environment is the one to check (`check --no-collector`, `use_process_environment: false`),
 * unset is unset, as before. Real `check` runs against a real backend on loopback.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { runCli } from '../helpers/run-cli.js';
import { startHttpServer } from '../helpers/servers.js';

interface Entry {
  name: string;
  protocol: string;
  note: string | null;
  value_sources: { key: string; reference: string; from: string }[];
  problems: { reason: string; severity: string }[];
}

const TOKEN_VAR = 'SENTINEL_TEST_UNSEEN_TOKEN';
const ENDPOINT_VAR = 'SENTINEL_TEST_UNSEEN_ENDPOINT';

t.test('a variable only the collector may hold: not checked while its environment is unknown, unset where ours counts', async (t) => {
  const backend = await startHttpServer({ requiredToken: 'the-token' });
  t.teardown(() => backend.close());
  const dir = mkdtempSync(join(tmpdir(), 'collector-env-unknown-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const collector = join(dir, 'collector.yaml');
  writeFileSync(
    collector,
    collectorYaml({
      'otlphttp/token': { endpoint: `http://127.0.0.1:${backend.port}`, headers: { authorization: `Bearer \${env:${TOKEN_VAR}}` } },
      'otlp/endpoint': { endpoint: `\${env:${ENDPOINT_VAR}}`, tls: { insecure: true } },
      'otlphttp/plain': { endpoint: `http://127.0.0.1:${backend.port}`, headers: { authorization: 'Bearer the-token' } },
    }),
  );
  const sentinel = (name: string, lines: string[]): string => {
    const f = join(dir, name);
    writeFileSync(f, ['collector:', `  config_files: [${JSON.stringify(collector)}]`, '  telemetry_url: ""', ...lines, ''].join('\n'));
    return f;
  };
  // not running: its environment cannot be read
  const unknown = sentinel('unknown.yaml', ['  process: { name: otelcol-sentinel-test-not-running }']);
  const own = sentinel('own.yaml', ['  process: { name: otelcol-sentinel-test-not-running }', '  use_process_environment: false']);
  const env = { [TOKEN_VAR]: undefined, [ENDPOINT_VAR]: undefined };
  const entries = async (args: string[]): Promise<Map<string, Entry>> => {
    const run = await runCli(['check', '--json', ...args], env);
    t.not(run.code, 2, `a usable configuration; stderr: ${run.stderr}`);
    return new Map((JSON.parse(run.stdout) as { exporters: Entry[] }).exporters.map((e) => [e.name, e]));
  };
  const reasons = (e: Entry | undefined) => e?.problems.map((p) => `${p.reason} ${p.severity}`);

  const u = await entries(['--config', unknown]);
  t.same(reasons(u.get('otlphttp/token')), [], 'the header: no missing_credentials');
  t.match(u.get('otlphttp/token')?.note, `request not sent: exporters.otlphttp/token.headers.authorization is \${env:${TOKEN_VAR}}, a variable otel-sentinel's environment lacks and the collector's may hold`);
  t.same(u.get('otlphttp/token')?.value_sources, [{ key: 'headers.authorization', reference: `\${env:${TOKEN_VAR}}`, from: 'unreadable' }]);
  t.notOk(backend.requests.some((r) => r.headers.authorization === 'Bearer '), 'no request went out with an empty token');
  t.same(reasons(u.get('otlp/endpoint')), [], 'the endpoint: no missing_endpoint');
  t.equal(u.get('otlp/endpoint')?.protocol, 'none', 'nothing probed');
  t.match(u.get('otlp/endpoint')?.note, `cannot be checked: exporters.otlp/endpoint.endpoint is \${env:${ENDPOINT_VAR}}`);
  t.same(reasons(u.get('otlphttp/plain')), [], 'an exporter without the variables is probed as ever');

  for (const [what, args] of [
    ['--no-collector', ['--config', unknown, '--no-collector']],
    ['use_process_environment: false', ['--config', own]],
  ] as const) {
    const o = await entries([...args]);
    t.same(reasons(o.get('otlphttp/token')), ['missing_credentials critical'], `${what}: the unset token is missing`);
    t.same(reasons(o.get('otlp/endpoint')), ['missing_endpoint critical'], `${what}: the unset endpoint is missing`);
    t.same(o.get('otlphttp/token')?.value_sources.map((v) => v.from), ['unset'], `${what}: unset`);
  }
});
