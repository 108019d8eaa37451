import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRPC_EXPORT_PATHS } from '../../src/config/endpoint.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { startCollectorStandIn } from '../helpers/e2e/collector-stand-in.js';
import { runCli } from '../helpers/run-cli.js';
import { startGrpcServer, startHttpServer, startRawServer } from '../helpers/servers.js';

/**
 * A collector config of the kind people run: several pipelines per signal joined by connectors,
 * OTLP and other exporters, merge keys, `${env:}` and `${file:}` values; every backend healthy on
 * loopback, and a stand-in collector process with its metrics page. `check` must call it healthy.
 */
const TEMPO_TOKEN = 'tempo-TOKEN-5551212';
const REMOTE_WRITE_TOKEN = 'rw-TOKEN-4242';

async function keep<T extends { close(): Promise<void> }>(t: Test, s: Promise<T>): Promise<T> {
  const server = await s;
  t.teardown(() => server.close());
  return server;
}

const EXPORTERS = [
  'otlp/tempo',
  'otlphttp/vendor',
  'debug',
  'loadbalancing',
  'otlphttp/prom',
  'otlp/metrics-grpc',
  'prometheusremotewrite',
  'otlphttp/loki',
  'file/archive',
  'kafka',
];

async function setUp(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-realistic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tempo = await keep(t, startGrpcServer({ requiredToken: TEMPO_TOKEN }));
  const metricsGrpc = await keep(t, startGrpcServer({ exportPath: GRPC_EXPORT_PATHS.metrics }));
  const vendor = await keep(t, startHttpServer({ requiredToken: 'the-vendor-token-not-readable-here' }));
  const loki = await keep(t, startHttpServer({ path: '/otlp/v1/logs' }));
  const prom = await keep(t, startHttpServer({ path: '/api/v1/otlp/v1/metrics' }));
  const remoteWrite = await keep(t, startHttpServer({ path: '/api/v1/write' }));
  const kafka = await keep(t, startRawServer((s) => s.on('data', () => {})));
  writeFileSync(join(dir, 'prom-endpoint'), `http://127.0.0.1:${prom.port}/api/v1/otlp`);
  writeFileSync(join(dir, 'rw-token'), REMOTE_WRITE_TOKEN);
  const collector = join(dir, 'collector.yaml');
  writeFileSync(
    collector,
    `
x-plaintext: &plaintext
  tls:
    insecure: true
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 0.0.0.0:4317 }
      http: { endpoint: 0.0.0.0:4318 }
processors:
  batch: {}
connectors:
  spanmetrics:
    dimensions: [{ name: http.method }]
  servicegraph: {}
  forward/sampled: {}
  routing:
    default_pipelines: [logs/loki]
    table:
      - statement: route() where attributes["kafka"] == "true"
        pipelines: [logs/kafka]
exporters:
  otlp/tempo:
    <<: *plaintext
    endpoint: 127.0.0.1:${tempo.port}
    headers:
      authorization: Bearer \${env:TEMPO_TOKEN}
  otlphttp/vendor:
    endpoint: http://127.0.0.1:${vendor.port}
    headers:
      authorization: Bearer \${file:/run/secrets/otel-sentinel-test-absent/vendor-token}
  debug:
    verbosity: basic
  loadbalancing:
    routing_key: traceID
    protocol:
      otlp:
        tls: { insecure: true }
    resolver:
      static:
        hostnames: [127.0.0.1:${tempo.port}]
  otlphttp/prom:
    endpoint: \${file:${join(dir, 'prom-endpoint')}}
  otlp/metrics-grpc:
    <<: *plaintext
    endpoint: 127.0.0.1:${metricsGrpc.port}
  prometheusremotewrite:
    endpoint: http://127.0.0.1:${remoteWrite.port}/api/v1/write
    headers:
      authorization: Bearer \${file:${join(dir, 'rw-token')}}
  otlphttp/loki:
    logs_endpoint: http://127.0.0.1:${loki.port}/otlp/v1/logs
    headers:
      x-scope-orgid: tenant-a
  file/archive:
    path: ${join(dir, 'archive.json')}
  kafka:
    brokers: [127.0.0.1:${kafka.port}]
    logs:
      topic: otlp_logs
service:
  extensions: []
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [spanmetrics, servicegraph, forward/sampled, loadbalancing]
    traces/sampled:
      receivers: [forward/sampled]
      exporters: [otlp/tempo, otlphttp/vendor, debug]
    metrics:
      receivers: [otlp, spanmetrics, servicegraph]
      processors: [batch]
      exporters: [otlphttp/prom, otlp/metrics-grpc, prometheusremotewrite]
    logs:
      receivers: [otlp]
      exporters: [routing]
    logs/loki:
      receivers: [routing]
      exporters: [otlphttp/loki, file/archive]
    logs/kafka:
      receivers: [routing]
      exporters: [kafka]
`,
  );
  const sentinelFor = (standIn: { pid: number; telemetryUrl: string }, name: string): string => {
    const f = join(dir, name);
    writeFileSync(
      f,
      [
        'collector:',
        `  config_files: [${JSON.stringify(collector)}]`,
        `  telemetry_url: ${JSON.stringify(standIn.telemetryUrl)}`,
        '  process:',
        `    pid: ${standIn.pid}`,
        'probe:',
        '  timeout: 4s',
        '',
      ].join('\n'),
    );
    return f;
  };
  return { tempo, vendor, remoteWrite, sentinelFor };
}

const env = { TEMPO_TOKEN, NO_PROXY: '*' };

t.test('a realistic config, every backend healthy: the diagnosis is healthy and names every exporter', async (t) => {
  const { tempo, vendor, remoteWrite, sentinelFor } = await setUp(t);
  const standIn = await keep(t, startCollectorStandIn({ exporters: EXPORTERS }));
  const sentinel = sentinelFor(standIn, 'sentinel.yaml');

  const { code, stdout, stderr } = await runCli(['check', '--config', sentinel, '--json'], env);
  const d = JSON.parse(stdout) as Diagnosis;
  const unhealthy = d.exporters.filter((e) => !e.up || e.problems.length > 0).map((e) => ({ name: e.name, problems: e.problems }));
  t.same(unhealthy, [], 'no exporter has a problem');
  t.same(d.collector.problems, [], 'no collector problem');
  t.equal(d.healthy, true, 'healthy');
  t.equal(code, 0, `exit 0 (${stderr})`);
  t.same(d.exporters.map((e) => e.name).sort(), [...EXPORTERS].sort(), 'every exporter of a pipeline, no connector');

  const e = (name: string) => d.exporters.find((x) => x.name === name)!;
  t.match(e('otlp/tempo'), { protocol: 'grpc', signal: 'traces', signals: ['traces'], note: null });
  t.match(e('otlp/tempo').value_sources, [{ key: 'headers.authorization', reference: '${env:TEMPO_TOKEN}', from: 'sidecar' }], "the stand-in's environment has no TEMPO_TOKEN: ours was used");
  t.match(e('otlphttp/prom'), { protocol: 'http', signal: 'metrics', value_sources: [{ key: 'endpoint', from: 'file' }] });
  t.match(e('otlp/metrics-grpc'), { protocol: 'grpc', signal: 'metrics' });
  t.match(e('otlphttp/loki'), { protocol: 'http', signal: 'logs', endpoint: /\/otlp\/v1\/logs$/ });
  t.match(e('otlphttp/vendor'), { protocol: 'http', signal: null, note: /^request not sent: .*headers\.authorization is \$\{file:/ });
  t.match(e('prometheusremotewrite'), { protocol: 'tcp', signal: null, signals: ['metrics'], note: /^transport only/ });
  t.match(e('kafka'), { protocol: 'tcp', signals: ['logs'], note: /^transport only: Kafka/ });
  for (const name of ['debug', 'loadbalancing', 'file/archive']) t.match(e(name), { protocol: 'none', up: true, note: /^not probed: / }, name);
  for (const name of EXPORTERS) t.not(e(name).queue, null, `${name}: the collector's queue figures are read for it too`);

  t.ok(tempo.calls.length >= 1, 'the tempo backend got an Export');
  t.equal(vendor.requests.length, 0, 'no request with an unreadable credential');
  t.equal(remoteWrite.requests.length, 0, 'no remote write sent');
  t.notMatch(stdout + stderr, new RegExp(`${TEMPO_TOKEN}|${REMOTE_WRITE_TOKEN}`), 'no token shown');

  const human = await runCli(['check', '--config', sentinel], { ...env, NO_COLOR: '1' });
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /all healthy/);
  t.match(human.stdout, /UP {2}otlphttp\/loki {2}http {2}http:\/\/127\.0\.0\.1:\d+\/otlp\/v1\/logs\n {2}probed {2}logs/);
  t.match(human.stdout, /UP {2}debug {2}none {2}\n {2}not probed: debug/);
});

t.test("a non-OTLP exporter whose queue the collector's metrics show full is reported by its id", async (t) => {
  const { sentinelFor } = await setUp(t);
  const standIn = await keep(t, startCollectorStandIn({ exporters: EXPORTERS, filling: 'kafka', capacity: 10, fillPerSecond: 10_000 }));
  const { code, stdout } = await runCli(['check', '--config', sentinelFor(standIn, 'sentinel-full.yaml'), '--json'], env);
  const d = JSON.parse(stdout) as Diagnosis;
  t.equal(code, 1, 'a problem is active');
  t.equal(d.healthy, false);
  const kafka = d.exporters.find((x) => x.name === 'kafka')!;
  t.match(kafka.problems, [{ cause: 'queue', reason: 'queue_full', severity: 'critical' }]);
  t.match(kafka.queue, { size: 10, capacity: 10 });
  const others = d.exporters.filter((x) => x.name !== 'kafka' && x.problems.length > 0).map((x) => x.name);
  t.same(others, [], 'only kafka');
});
