import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExporterSpec } from '../../src/config/exporter-spec.js';
import { EXPORTER_KINDS, isOtlpType, kindOf } from '../../src/config/exporter-kinds.js';
import { expandEnv } from '../../src/config/expand-env.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { resolveEndpoint, signalUrl, tracesUrl } from '../../src/config/endpoint.js';

/**
 * Collector configs of the shapes people run: connectors between pipelines, pipelines per signal,
 * exporters that are not OTLP, YAML merge keys, `${file:}` references. Read as the collector reads
 * them; the probes of these shapes against loopback backends are in test/probe/signals-kinds.test.ts.
 */
const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-shapes-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string, name = `collector-${++n}.yaml`): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const sentinel = loadSentinelConfig(null, {});
const read = (text: string, env: Record<string, string> = {}, collectorEnv?: Record<string, string> | null) =>
  readCollectorConfig({ files: [write(text)], env, collectorEnv, sentinel });
const byName = (specs: readonly ExporterSpec[], name: string): ExporterSpec => {
  const s = specs.find((x) => x.name === name);
  if (!s) throw new Error(`no exporter ${name} in ${specs.map((x) => x.name).join(', ')}`);
  return s;
};
const reasons = (s: ExporterSpec): string[] => s.configProblems.map((p) => p.reason);

t.test('connectors join pipelines: accepted, not exporters, and the signals follow the pipelines', (t) => {
  const m = read(`
receivers:
  otlp: { protocols: { grpc: {} } }
connectors:
  spanmetrics: {}
  servicegraph: {}
  forward/sampled: {}
  routing: { default_pipelines: [logs/default] }
  count: {}
exporters:
  otlp/tempo: { endpoint: "tempo:4317" }
  prometheusremotewrite: { endpoint: "https://prom.example.invalid/api/v1/write" }
  otlphttp/loki: { logs_endpoint: "http://loki:3100/otlp/v1/logs" }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [spanmetrics, servicegraph, forward/sampled, count] }
    traces/sampled: { receivers: [forward/sampled], exporters: [otlp/tempo] }
    metrics/derived: { receivers: [spanmetrics, servicegraph, count], exporters: [prometheusremotewrite] }
    logs: { receivers: [otlp], exporters: [routing] }
    logs/default: { receivers: [routing], exporters: [otlphttp/loki] }
`);
  t.same(m.exporters.map((e) => e.name), ['otlp/tempo', 'prometheusremotewrite', 'otlphttp/loki'], 'connectors are not exporters');
  t.same(byName(m.exporters, 'otlp/tempo').signals, ['traces']);
  t.same(byName(m.exporters, 'prometheusremotewrite').signals, ['metrics'], 'through the spanmetrics connector');
  t.match(byName(m.exporters, 'otlphttp/loki'), { signals: ['logs'], signal: 'logs', protocol: 'http' });
  t.same(reasons(byName(m.exporters, 'otlphttp/loki')), [], 'logs_endpoint alone is a valid otlphttp exporter');
  t.throws(
    () => read(`exporters:\n  otlp: {endpoint: "a:4317"}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [otlp, spanmetrics]}\n`),
    { name: 'ConfigError', message: /names exporter "spanmetrics", which is not defined under exporters: \(nor under connectors:\)/ },
    'an id defined nowhere is still refused',
  );
  t.end();
});

t.test('the signal probed: one the pipelines carry, on the URL the collector composes for it', (t) => {
  const m = read(`
exporters:
  otlphttp/prom: { endpoint: "http://prom:9090/api/v1/otlp" }
  otlphttp/both: { endpoint: "http://both:4318/", traces_endpoint: "http://both:4318/custom/path" }
  otlphttp/logs-override: { endpoint: "http://base:4318", logs_endpoint: "http://loki:3100/otlp/v1/logs" }
  otlp/metrics: { endpoint: "m:4317" }
  otlp/profiles-only: { endpoint: "p:4317" }
service:
  pipelines:
    metrics: { receivers: [otlp], exporters: [otlphttp/prom, otlp/metrics, otlphttp/both] }
    logs/app: { receivers: [otlp], exporters: [otlphttp/logs-override, otlphttp/both] }
    profiles: { receivers: [otlp], exporters: [otlp/profiles-only] }
`);
  const prom = byName(m.exporters, 'otlphttp/prom');
  t.equal(prom.signal, 'metrics');
  t.equal(signalUrl(prom), 'http://prom:9090/api/v1/otlp/v1/metrics', 'endpoint + /v1/metrics');
  const both = byName(m.exporters, 'otlphttp/both');
  t.same(both.signals, ['metrics', 'logs']);
  t.equal(signalUrl(both), 'http://both:4318/v1/metrics', 'no second slash after a trailing one');
  t.equal(tracesUrl(both), 'http://both:4318/custom/path', 'traces_endpoint as is');
  t.same(reasons(both), [], 'an unusual traces_endpoint is no warning when traces are not what it carries');
  t.equal(signalUrl(byName(m.exporters, 'otlphttp/logs-override')), 'http://loki:3100/otlp/v1/logs', 'logs_endpoint wins over endpoint');
  t.equal(byName(m.exporters, 'otlp/metrics').signal, 'metrics');
  t.match(byName(m.exporters, 'otlp/profiles-only'), { protocol: 'none', note: /not probed: otlp carries no traces, metrics or logs/ });
  t.end();
});

t.test('exporters that are not OTLP: every one listed, probed as far as honest, else said why not', (t) => {
  const m = read(`
exporters:
  prometheusremotewrite/mimir: { endpoint: "https://u:pw-secret-77@mimir.example.invalid/api/v1/push" }
  kafka: { brokers: ["kafka-0.example.invalid", "kafka-1.example.invalid:9093"], auth: { sasl: { username: u, password: "sasl-SECRET-123" } } }
  kafka/tls: { brokers: ["k:9093"], tls: { ca_file: /nonexistent/ca.pem } }
  elasticsearch: { endpoints: ["http://es:9200"] }
  zipkin: { endpoint: "http://zipkin:9411/api/v2/spans" }
  loadbalancing: { protocol: { otlp: { tls: { insecure: true } } }, resolver: { dns: { hostname: collectors } } }
  file: { path: /var/log/otel.json }
  debug: { verbosity: basic }
  datadog: { api: { key: "dd-KEY-5555" } }
  carbon: {}
service:
  pipelines:
    metrics: { receivers: [otlp], exporters: [prometheusremotewrite/mimir, carbon, datadog] }
    traces: { receivers: [otlp], exporters: [kafka, kafka/tls, zipkin, loadbalancing, file, debug] }
    logs: { receivers: [otlp], exporters: [elasticsearch] }
`);
  t.equal(m.exporters.length, 10, 'every exporter of a pipeline');
  const prw = byName(m.exporters, 'prometheusremotewrite/mimir');
  t.match(prw, { protocol: 'tcp', endpointForm: 'url', endpointKey: 'endpoint', note: /^transport only: Prometheus remote write/ });
  t.ok(prw.secrets.includes('pw-secret-77'), 'URL userinfo is a secret');
  const kafka = byName(m.exporters, 'kafka');
  t.match(kafka, { protocol: 'tcp', endpoint: 'kafka-0.example.invalid:9092', endpointKey: 'brokers[0]', plainTls: false });
  t.ok(kafka.secrets.includes('sasl-SECRET-123'), 'the SASL password is a secret');
  t.match(byName(m.exporters, 'kafka/tls'), { plainTls: true, endpoint: 'k:9093' });
  t.match(byName(m.exporters, 'elasticsearch'), { protocol: 'tcp', endpoint: 'http://es:9200', endpointKey: 'endpoints[0]' });
  t.match(byName(m.exporters, 'zipkin'), { protocol: 'tcp' });
  for (const [name, why] of [
    ['loadbalancing', /not probed: loadbalancing \(it sends to the backends its resolver finds/],
    ['file', /not probed: file \(it writes to a local file\)/],
    ['debug', /not probed: debug/],
    ['datadog', /not probed: datadog \(otel-sentinel has no probe for this exporter type/],
    ['carbon', /not probed: carbon has no endpoint set here/],
  ] as const) {
    t.match(byName(m.exporters, name), { protocol: 'none', endpoint: '', note: why }, name);
    t.same(byName(m.exporters, name).configProblems, [], `${name}: no problem`);
  }
  t.ok(byName(m.exporters, 'datadog').secrets.includes('dd-KEY-5555'), 'an api key is a secret');
  t.notMatch(JSON.stringify(m.exporters.map((e) => [e.note, e.configProblems])), /sasl-SECRET|pw-secret|dd-KEY/, 'no secret in notes or problems');

  const bad = read(`exporters:\n  kafka: { brokers: ["[::1"] }\nservice:\n  pipelines:\n    logs: {receivers: [otlp], exporters: [kafka]}\n`);
  t.same(reasons(bad.exporters[0]!), ['invalid_endpoint'], 'a broker that is not host:port');
  t.match(bad.exporters[0]!.configProblems[0]!.message, /brokers\[0\] is unusable/);
  t.end();
});

t.test('the table of exporter kinds: one row per type and alias', (t) => {
  const types = EXPORTER_KINDS.flatMap((k) => k.types);
  t.equal(new Set(types).size, types.length, 'no type in two rows');
  for (const k of EXPORTER_KINDS) {
    if (k.protocol === 'tcp') t.ok(k.endpointKey && k.form, `${k.types[0]}: a transport probe names its endpoint key and form`);
  }
  t.ok(isOtlpType('otlp_http') && isOtlpType('otlp') && !isOtlpType('kafka') && !isOtlpType('constructor'));
  t.equal(kindOf('constructor').protocol, 'none', 'a type named like an Object property is just unknown');
  t.end();
});

t.test('YAML merge keys are honoured as the collector honours them', (t) => {
  const m = read(`
x-common: &common
  endpoint: "base:4317"
  tls: { insecure: true }
  headers: { x-team: core }
x-http: &http
  endpoint: "http://http-base:4318"
exporters:
  otlp/a:
    <<: *common
  otlp/b:
    <<: *common
    endpoint: "b:4317"
  otlphttp/c:
    <<: [*http]
    compression: gzip
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp/a, otlp/b, otlphttp/c] }
`);
  t.match(byName(m.exporters, 'otlp/a'), { endpoint: 'base:4317', tls: { insecure: true }, headers: { 'x-team': 'core' } });
  t.equal(byName(m.exporters, 'otlp/b').endpoint, 'b:4317', 'a key beside the merge wins');
  t.match(byName(m.exporters, 'otlphttp/c'), { endpoint: 'http://http-base:4318', compression: 'gzip' });
  t.same(m.exporters.flatMap(reasons), [], 'no missing_endpoint');
  t.end();
});

t.test('${file:} references: read like the collector, else "cannot be checked", never a false critical', (t) => {
  const token = write('file-TOKEN-31337', 'token');
  const tokenNl = write('file-TOKEN-31337\n', 'token-nl');
  const endpoint = write('http://from-file:4318', 'endpoint');
  const headers = write('x-scope-orgid: tenant-a\nauthorization: Bearer ${env:HDR_TOKEN}\n', 'headers.yaml');
  const missing = join(dir, 'no-such-file');
  const m = read(
    `
exporters:
  otlphttp/embedded: { endpoint: "http://a:4318", headers: { authorization: "Bearer \${file:${token}}" } }
  otlphttp/whole: { endpoint: "\${file:${endpoint}}" }
  otlphttp/map: { endpoint: "http://b:4318", headers: "\${file:${headers}}" }
  otlphttp/unreadable-header: { endpoint: "http://c:4318", headers: { authorization: "Bearer \${file:${missing}}" } }
  otlphttp/unreadable-endpoint: { endpoint: "\${file:${missing}}" }
  otlphttp/relative: { endpoint: "\${file:relative/endpoint}" }
  otlphttp/newline: { endpoint: "http://d:4318", headers: { authorization: "Bearer \${file:${tokenNl}}" } }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [otlphttp/embedded, otlphttp/whole, otlphttp/map, otlphttp/unreadable-header, otlphttp/unreadable-endpoint, otlphttp/relative, otlphttp/newline] }
`,
    { HDR_TOKEN: 'env-TOKEN-2718' },
  );
  t.equal(byName(m.exporters, 'otlphttp/embedded').headers.authorization, 'Bearer file-TOKEN-31337', 'embedded: the content');
  t.equal(byName(m.exporters, 'otlphttp/newline').headers.authorization, 'Bearer file-TOKEN-31337\n', 'byte for byte, as the collector: the newline stays');
  t.equal(byName(m.exporters, 'otlphttp/whole').endpoint, 'http://from-file:4318');
  t.same(byName(m.exporters, 'otlphttp/map').headers, { 'x-scope-orgid': 'tenant-a', authorization: 'Bearer env-TOKEN-2718' }, 'a whole value that is a YAML map, expanded again');
  t.match(byName(m.exporters, 'otlphttp/embedded').valueSources, [{ key: 'headers.authorization', reference: `\${file:${token}}`, from: 'file' }]);

  const header = byName(m.exporters, 'otlphttp/unreadable-header');
  t.match(header, { protocol: 'http', handshakeOnly: true, note: /request not sent: exporters\.otlphttp\/unreadable-header\.headers\.authorization is \$\{file:.*no-such-file\}, which otel-sentinel cannot read here \(the collector may\)/ });
  t.same(header.configProblems, [], 'no critical, no wrong fix');
  for (const name of ['otlphttp/unreadable-endpoint', 'otlphttp/relative']) {
    const e = byName(m.exporters, name);
    t.match(e, { protocol: 'none', note: /^cannot be checked: exporters\.otlphttp\/.*\.endpoint is \$\{file:.*\}, which otel-sentinel cannot read here/ }, name);
    t.same(e.configProblems, [], `${name}: no "not a URL" critical`);
    t.match(e.valueSources, [{ key: 'endpoint', from: 'unreadable' }]);
  }
  t.end();
});

t.test('${file:} in depth: non-map content, self reference, escapes', (t) => {
  const scalar = write('4317', 'port');
  const self = join(dir, 'self.yaml');
  writeFileSync(self, `a: \${file:${self}}\n`);
  const notYaml = write('key: [unclosed', 'not-yaml');
  const x = expandEnv({ port: `\${file:${scalar}}`, text: `p=\${file:${scalar}}`, escaped: `$\${file:${scalar}}`, raw: `\${file:${notYaml}}` }, {});
  t.same(x.value, { port: '4317', text: 'p=4317', escaped: `\${file:${scalar}}`, raw: 'key: [unclosed' }, 'content that is not YAML is the text, as the collector takes it');
  t.equal(x.files.length, 3);
  const alias = write('v: *nope\n', 'bad-alias');
  t.same(expandEnv({ v: `\${file:${alias}}` }, {}).value, { v: 'v: *nope\n' }, 'an alias without anchor: the text');
  t.throws(() => expandEnv({ v: `\${file:${self}}` }, {}), { name: 'ExpansionError', message: /too many recursive expansions/ }, 'a file that includes itself');
  t.end();
});

t.test('an authenticator missing from service.extensions gets a fix that says so', (t) => {
  const m = read(`
extensions:
  bearertokenauth/t: { token: "tok-EXT-4444" }
exporters:
  otlp/a: { endpoint: "a:4317", auth: { authenticator: bearertokenauth/t } }
  otlp/b: { endpoint: "b:4317", auth: { authenticator: basicauth/none } }
service:
  extensions: []
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp/a, otlp/b] }
`);
  const a = byName(m.exporters, 'otlp/a').configProblems.find((p) => p.reason === 'missing_credentials');
  t.match(a?.fix, /^Add "bearertokenauth\/t" to service\.extensions/);
  const b = byName(m.exporters, 'otlp/b').configProblems.find((p) => p.reason === 'missing_credentials');
  t.match(b?.fix, /^Define extensions\.basicauth\/none \(and list it in service\.extensions\)/);
  t.end();
});

t.test("where an ${env:} value came from: the collector's environment or otel-sentinel's", (t) => {
  const text = `
exporters:
  otlphttp/a:
    endpoint: "\${env:EP}"
    headers: { authorization: "Bearer \${env:TOK}", x-unset: "\${env:NOPE}", x-default: "\${env:NOPE2:-d}" }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [otlphttp/a] }
`;
  const collectorEnv = { EP: 'http://x:4318' };
  const m = read(text, { ...collectorEnv, TOK: 'tok-ENV-1212' }, collectorEnv);
  const sources = byName(m.exporters, 'otlphttp/a').valueSources ?? [];
  t.same(
    sources.map((v) => [v.key, v.reference, v.from]),
    [
      ['endpoint', '${env:EP}', 'collector'],
      ['headers.authorization', '${env:TOK}', 'sidecar'],
      ['headers.x-unset', '${env:NOPE}', 'unset'],
      ['headers.x-default', '${env:NOPE2}', 'default'],
    ],
  );
  const ours = read(text, { EP: 'http://x:4318', TOK: 't' }, null);
  t.same(ours.exporters[0]!.valueSources?.map((v) => v.from).slice(0, 2), ['sidecar', 'sidecar'], 'the collector environment was not read');
  t.end();
});

t.test('${file:} of something that is not a small regular file is not read', (t) => {
  const big = join(dir, 'big');
  writeFileSync(big, 'x'.repeat((1 << 20) + 1));
  for (const path of ['/dev/zero', dir, big]) {
    const x = expandEnv({ v: `\${file:${path}}`, w: `a\${file:${path}}` }, {});
    t.same(x.value, { v: `\${file:${path}}`, w: `a\${file:${path}}` }, `${path}: left as written`);
    t.equal(x.unsupported.length, 2, `${path}: reported as unresolved`);
  }
  t.end();
});

t.test('the rest of the table: otelarrow, elasticsearch by endpoint, metrics_endpoint, an authenticator from a file', (t) => {
  const missing = join(dir, 'absent-token');
  const m = read(`
extensions:
  bearertokenauth/f: { token: "\${file:${missing}}" }
exporters:
  otelarrow: { endpoint: "arrow.example.invalid:4317", tls: { insecure: true } }
  elasticsearch/one: { endpoint: "https://es.example.invalid:9200" }
  elasticsearch/cloud: { cloudid: "abc" }
  otlphttp/m: { endpoint: "http://m:4318", metrics_endpoint: "http://m:9090/api/v1/otlp/v1/metrics" }
  otlp/authfile: { endpoint: "a:4317", auth: { authenticator: bearertokenauth/f } }
  kafka/unreadable: { brokers: ["\${file:${missing}}"] }
service:
  extensions: [bearertokenauth/f]
  pipelines:
    metrics: { receivers: [otlp], exporters: [otelarrow, elasticsearch/one, elasticsearch/cloud, otlphttp/m, otlp/authfile, kafka/unreadable] }
`);
  const arrow = byName(m.exporters, 'otelarrow');
  t.match(arrow, { protocol: 'tcp', endpointForm: 'grpc', endpoint: 'arrow.example.invalid:4317' });
  const r = resolveEndpoint(arrow);
  t.match(r, { ok: true, endpoint: { host: 'arrow.example.invalid', port: 4317, tls: false } }, 'read as configgrpc reads it');
  t.match(byName(m.exporters, 'elasticsearch/one'), { protocol: 'tcp', endpoint: 'https://es.example.invalid:9200', endpointKey: 'endpoint' });
  t.match(byName(m.exporters, 'elasticsearch/cloud'), { protocol: 'none', note: /no endpoints set here/ });
  t.equal(signalUrl(byName(m.exporters, 'otlphttp/m')), 'http://m:9090/api/v1/otlp/v1/metrics', 'metrics_endpoint as is');
  t.match(byName(m.exporters, 'otlp/authfile'), {
    protocol: 'grpc',
    handshakeOnly: true,
    note: /^request not sent: extensions\.bearertokenauth\/f\.token is \$\{file:/,
  });
  t.match(byName(m.exporters, 'kafka/unreadable'), { protocol: 'none', note: /^cannot be checked: exporters\.kafka\/unreadable\.brokers\[0\] is/ });
  t.end();
});

t.test('unset variables: warned about where a transport probe uses them, not in exporters that are not probed', (t) => {
  const m = read(`
exporters:
  datadog: { api: { key: "\${env:DD_API_KEY}" } }
  kafka: { brokers: ["\${env:KAFKA_BROKER}"], topic: "\${env:TOPIC}" }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [datadog, kafka] }
`);
  const dd = byName(m.exporters, 'datadog');
  t.same(dd.configProblems, [], 'not probed: its values are not judged');
  t.match(dd.valueSources, [{ key: 'api.key', reference: '${env:DD_API_KEY}', from: 'unset' }], 'but shown');
  const kafka = byName(m.exporters, 'kafka');
  t.same(kafka.configProblems.map((p) => [p.reason, p.message.includes('brokers[0]')]), [['env_var_unset', true]], 'the broker variable, not the topic');
  t.match(kafka, { protocol: 'none', note: /has no brokers set here/ });
  t.end();
});
