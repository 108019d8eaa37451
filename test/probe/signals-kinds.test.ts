import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { GRPC_EXPORT_PATHS } from '../../src/config/endpoint.js';
import type { ExporterSpec } from '../../src/config/exporter-spec.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { testCerts } from '../helpers/certs.js';
import { expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { closedPort, startGrpcServer, startHttpServer, startRawServer } from '../helpers/servers.js';

/**
 * Collector configs of the shapes people run, read as the collector reads them and probed against
 * real loopback backends: the signal each exporter carries on the URL or service the collector
 * uses for it, exporters that are not OTLP, merge keys and `${file:}` values.
 */
const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-signals-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sentinel = loadSentinelConfig(null, {});
const specs = (yaml: string, env: Record<string, string> = {}): ExporterSpec[] => {
  const f = join(dir, `collector-${++n}.yaml`);
  writeFileSync(f, yaml);
  return [...readCollectorConfig({ files: [f], env, sentinel }).exporters];
};
const one = (yaml: string, env: Record<string, string> = {}): ExporterSpec => specs(yaml, env)[0]!;
const pipeline = (signal: string, exporters: string): string =>
  `service:\n  pipelines:\n    ${signal}:\n      receivers: [otlp]\n      exporters: [${exporters}]\n`;

async function keep<T extends { close(): Promise<void> }>(t: Test, s: Promise<T>): Promise<T> {
  const server = await s;
  t.teardown(() => server.close());
  return server;
}

t.test('a logs-only otlp_http exporter with logs_endpoint alone: POST on that URL, logs probed', async (t) => {
  const loki = await keep(t, startHttpServer({ path: '/otlp/v1/logs' }));
  const spec = one(`exporters:\n  otlp_http/loki:\n    logs_endpoint: "http://127.0.0.1:${loki.port}/otlp/v1/logs"\n${pipeline('logs/app', 'otlp_http/loki')}`);
  const r = await probeOnce(spec);
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(r.problems, []);
  t.same(loki.requests.map((q) => `${q.method} ${q.url}`), ['POST /otlp/v1/logs']);
});

t.test('a Loki-style base URL in a logs pipeline: endpoint + /v1/logs, not /v1/traces', async (t) => {
  const loki = await keep(t, startHttpServer({ path: '/otlp/v1/logs' }));
  const r = await probeOnce(one(`exporters:\n  otlphttp/loki: { endpoint: "http://127.0.0.1:${loki.port}/otlp" }\n${pipeline('logs', 'otlphttp/loki')}`));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(loki.requests.map((q) => q.url), ['/otlp/v1/logs']);
});

t.test('a metrics-only backend (/api/v1/otlp): endpoint + /v1/metrics', async (t) => {
  const prom = await keep(t, startHttpServer({ path: '/api/v1/otlp/v1/metrics' }));
  const yaml = (signal: string) => `exporters:\n  otlphttp/prom: { endpoint: "http://127.0.0.1:${prom.port}/api/v1/otlp" }\n${pipeline(signal, 'otlphttp/prom')}`;
  const r = await probeOnce(one(yaml('metrics')));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(prom.requests.map((q) => q.url), ['/api/v1/otlp/v1/metrics']);
  // the same exporter in a traces pipeline would send traces there: a real 404, found as before
  expectProblem(t, await probeOnce(one(yaml('traces'))), { cause: 'endpoint', reason: 'http_not_found', message: ['/api/v1/otlp/v1/traces'] });
});

t.test('a metrics-only gRPC server: MetricsService/Export, not grpc_unimplemented', async (t) => {
  const server = await keep(t, startGrpcServer({ exportPath: GRPC_EXPORT_PATHS.metrics }));
  const yaml = (signal: string) =>
    `exporters:\n  otlp/metrics: { endpoint: "127.0.0.1:${server.port}", tls: { insecure: true } }\n${pipeline(signal, 'otlp/metrics')}`;
  const r = await probeOnce(one(yaml('metrics/prom')));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(server.calls.length, 1, 'one Export call reached the metrics service');
  expectProblem(t, await probeOnce(one(yaml('traces'))), { cause: 'protocol', reason: 'grpc_unimplemented' });
});

t.test('a logs-only gRPC server: LogsService/Export', async (t) => {
  const server = await keep(t, startGrpcServer({ exportPath: GRPC_EXPORT_PATHS.logs }));
  const r = await probeOnce(one(`exporters:\n  otlp: { endpoint: "127.0.0.1:${server.port}", tls: { insecure: true } }\n${pipeline('logs', 'otlp')}`));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(server.calls.length, 1);
});

t.test('exporters that are not OTLP: DNS, TCP and TLS where they have an endpoint', async (t) => {
  const certs = testCerts();
  const remoteWrite = await keep(t, startHttpServer({ path: '/api/v1/write' }));
  const broker = await keep(t, startRawServer((s) => s.on('data', () => {})));
  const tlsBroker = await keep(t, startHttpServer({ tls: { cert: certs.server.cert, key: certs.server.key } }));
  const untrusted = await keep(t, startHttpServer({ tls: { cert: certs.untrusted.cert, key: certs.untrusted.key } }));
  const refused = await closedPort();
  const all = specs(`
exporters:
  prometheusremotewrite: { endpoint: "http://127.0.0.1:${remoteWrite.port}/api/v1/write" }
  kafka: { brokers: ["127.0.0.1:${broker.port}"] }
  kafka/tls: { brokers: ["localhost:${tlsBroker.port}"], tls: { ca_file: "${certs.ca.certFile}" } }
  zipkin: { endpoint: "http://127.0.0.1:${refused}/api/v2/spans" }
  elasticsearch: { endpoints: ["https://localhost:${untrusted.port}"] }
  file: { path: /var/lib/otelcol/never-written.json }
${pipeline('traces', 'prometheusremotewrite, kafka, kafka/tls, zipkin, elasticsearch, file')}`);
  const probe = async (name: string) => probeOnce(all.find((s) => s.name === name)!);

  const prw = await probe('prometheusremotewrite');
  t.equal(prw.up, true, JSON.stringify(prw.problems));
  t.type(prw.phases.connect_seconds, 'number', 'TCP was probed');
  t.equal(prw.phases.request_seconds, null, 'no remote write was sent');
  t.same(remoteWrite.requests, [], 'nothing reached the backend but the connection');

  const kafka = await probe('kafka');
  t.equal(kafka.up, true, JSON.stringify(kafka.problems));

  const kafkaTls = await probe('kafka/tls');
  t.equal(kafkaTls.up, true, JSON.stringify(kafkaTls.problems));
  t.type(kafkaTls.phases.tls_seconds, 'number', 'the broker TLS handshake was probed');
  t.ok(kafkaTls.tls?.not_after, 'the served certificate is known');

  const zipkin = expectProblem(t, await probe('zipkin'), { cause: 'network', reason: 'connection_refused', message: ['zipkin'], fix: ['exporters.zipkin.endpoint'] });
  t.notMatch(zipkin?.fix, '4317', 'no OTLP port hint for an exporter that is not OTLP');
  expectProblem(t, await probe('elasticsearch'), { cause: 'tls', reason: 'tls_unknown_authority', message: ['elasticsearch'] });

  const file = await probe('file');
  t.match(file, { up: true, problems: [], totalSeconds: 0 }, 'nothing to probe, nothing failed');
  t.equal(file.phases.connect_seconds, null);
});

t.test('a Kafka broker on a name that does not resolve: the DNS answer, named', async (t) => {
  const spec = one(`exporters:\n  kafka: { brokers: ["broker.kafka.invalid:9092"] }\n${pipeline('logs', 'kafka')}`);
  expectProblem(t, await probeOnce(spec), { cause: 'endpoint', reason: 'dns_not_found', message: ['broker.kafka.invalid'], fix: ['exporters.kafka.brokers[0]'] });
});

t.test('merge keys: the exporter built from an anchor is probed at the merged endpoint', async (t) => {
  const server = await keep(t, startGrpcServer());
  const spec = one(`
x-base: &base
  endpoint: "127.0.0.1:${server.port}"
  tls: { insecure: true }
exporters:
  otlp/merged:
    <<: *base
    compression: gzip
${pipeline('traces', 'otlp/merged')}`);
  const r = await probeOnce(spec);
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(server.calls.length, 1);
});

t.test('${file:} values: a readable token is sent; an unreadable one leaves the request out, not a false 401', async (t) => {
  const TOKEN = 'file-TOKEN-8675309';
  const server = await keep(t, startHttpServer({ requiredToken: TOKEN }));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
  const endpointFile = join(dir, 'endpoint');
  writeFileSync(endpointFile, `http://127.0.0.1:${server.port}`);
  const missing = join(dir, 'missing-token');
  const all = specs(`
exporters:
  otlphttp/readable: { endpoint: "\${file:${endpointFile}}", headers: { authorization: "Bearer \${file:${tokenFile}}" } }
  otlphttp/unreadable: { endpoint: "http://127.0.0.1:${server.port}", headers: { authorization: "Bearer \${file:${missing}}" } }
${pipeline('traces', 'otlphttp/readable, otlphttp/unreadable')}`);
  const readable = await probeOnce(all[0]!);
  t.equal(readable.up, true, JSON.stringify(readable.problems));
  t.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${TOKEN}`);
  const before = server.requests.length;
  const unreadable = await probeOnce(all[1]!);
  t.equal(unreadable.up, true, JSON.stringify(unreadable.problems));
  t.same(unreadable.problems, [], 'no unauthorized, no missing_credentials');
  t.type(unreadable.phases.connect_seconds, 'number', 'the connection was probed');
  t.equal(server.requests.length, before, 'the request with a literal ${file:} was not sent');
});

t.test('gRPC backends still get the traces Export when a pipeline carries traces', async (t) => {
  const server = await keep(t, startGrpcServer({ status: status.OK }));
  const spec = one(`exporters:\n  otlp: { endpoint: "127.0.0.1:${server.port}", tls: { insecure: true } }\nservice:\n  pipelines:\n    logs: { receivers: [otlp], exporters: [otlp] }\n    traces: { receivers: [otlp], exporters: [otlp] }\n`);
  t.same(spec.signals, ['traces', 'logs']);
  t.equal(spec.signal, 'traces');
  t.equal((await probeOnce(spec)).up, true);
});

t.test('a real 404 or UNIMPLEMENTED names the probed signal, and the fix its key', async (t) => {
  const tracesOnlyHttp = await keep(t, startHttpServer());
  const tracesOnlyGrpc = await keep(t, startGrpcServer());
  const all = specs(`
exporters:
  otlphttp/m: { endpoint: "http://127.0.0.1:${tracesOnlyHttp.port}" }
  otlp/l: { endpoint: "127.0.0.1:${tracesOnlyGrpc.port}", tls: { insecure: true } }
service:
  pipelines:
    metrics: { receivers: [otlp], exporters: [otlphttp/m] }
    logs: { receivers: [otlp], exporters: [otlp/l] }
`);
  expectProblem(t, await probeOnce(all[0]!), {
    cause: 'endpoint',
    reason: 'http_not_found',
    message: ['/v1/metrics', 'nothing receives OTLP metrics'],
    fix: ['appends /v1/metrics', 'exporters.otlphttp/m.metrics_endpoint'],
  });
  expectProblem(t, await probeOnce(all[1]!), { cause: 'protocol', reason: 'grpc_unimplemented', message: ['opentelemetry.proto.collector.logs.v1.LogsService/Export'] });
});

t.test('a refused per-signal URL: the fix names the key that holds it', async (t) => {
  const refused = await closedPort();
  const all = specs(`
exporters:
  otlp_http/metrics: { metrics_endpoint: "http://127.0.0.1:${refused}/v1/metrics" }
  otlphttp/base: { endpoint: "http://127.0.0.1:${refused}" }
${pipeline('metrics', 'otlp_http/metrics, otlphttp/base')}`);
  const signal = expectProblem(t, await probeOnce(all[0]!), { cause: 'network', reason: 'connection_refused', fix: ['exporters.otlp_http/metrics.metrics_endpoint', '4318'] });
  t.notMatch(signal?.fix, 'otlp_http/metrics.endpoint', 'not the endpoint key, which is not set');
  expectProblem(t, await probeOnce(all[1]!), { cause: 'network', reason: 'connection_refused', fix: ['exporters.otlphttp/base.endpoint'] });
});
