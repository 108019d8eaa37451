import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import type { ExporterSpec } from '../../src/config/exporter-spec.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { issueCert, testCerts } from '../helpers/certs.js';

const SECRET = 's3cr3t-TOKEN-4242';
const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-collector-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string, name = `collector-${++n}.yaml`): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const base = loadSentinelConfig(null, {});
type Probe = Partial<{ -readonly [K in keyof SentinelConfig['probe']]: SentinelConfig['probe'][K] }>;
const sentinel = (over: { probe?: Probe; telemetryUrl?: string; certExpiryMs?: number; source?: string } = {}): SentinelConfig => ({
  ...base,
  source: over.source ?? '/etc/otel-sentinel/sentinel.yaml',
  collector: { ...base.collector, telemetryUrl: over.telemetryUrl },
  probe: { ...base.probe, ...over.probe },
  thresholds: { ...base.thresholds, certExpiryMs: over.certExpiryMs ?? base.thresholds.certExpiryMs },
});

const read = (files: string[], env: Record<string, string> = {}, s = sentinel(), now?: number) =>
  readCollectorConfig({ files, env, sentinel: s, now });

const reasons = (spec: ExporterSpec | undefined): string[] => (spec?.configProblems ?? []).map((p) => p.reason);
const byName = (specs: readonly ExporterSpec[], name: string): ExporterSpec => {
  const s = specs.find((x) => x.name === name);
  if (!s) throw new Error(`no exporter ${name}`);
  return s;
};

/** Every text a user could see from a model: problem messages and fixes. */
const visibleText = (specs: readonly ExporterSpec[]): string =>
  specs.flatMap((s) => s.configProblems.flatMap((p) => [p.message, p.fix])).join('\n');

const PIPE = (exporters: string) => `service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [${exporters}]\n`;

t.test('example: grpc-tls-bearer.yaml', (t) => {
  const m = read(['config/examples/grpc-tls-bearer.yaml'], { TEMPO_TOKEN: SECRET });
  t.equal(m.exporters.length, 1);
  const e = m.exporters[0]!;
  t.match(e, {
    name: 'otlp/tempo',
    type: 'otlp',
    protocol: 'grpc',
    endpoint: 'tempo.observability.svc:4317',
    headers: { authorization: `Bearer ${SECRET}` },
    compression: 'gzip',
    timeoutMs: 10000,
    source: 'config/examples/grpc-tls-bearer.yaml',
    tls: { insecure: false, caFile: '/etc/otelcol/tls/ca.crt' },
  });
  t.ok(e.secrets.includes(`Bearer ${SECRET}`));
  // The CA file of the example is not on this machine: that is a static TLS problem.
  t.same(reasons(e), ['tls_config_invalid']);
  t.equal(e.configProblems[0]!.message, 'exporter "otlp/tempo": tls.ca_file is unusable: cannot read "/etc/otelcol/tls/ca.crt" (ENOENT)');
  t.equal(m.telemetryUrl, 'http://127.0.0.1:8888/metrics');
  t.equal(m.memoryLimiter, null);
  t.ok(Object.isFrozen(m) && Object.isFrozen(m.exporters[0]) && Object.isFrozen(e.headers));

  const unset = read(['config/examples/grpc-tls-bearer.yaml'], {});
  const p = unset.exporters[0]!.configProblems.find((x) => x.reason === 'missing_credentials');
  t.match(p, {
    cause: 'auth',
    severity: 'critical',
    message: 'exporter "otlp/tempo": exporters.otlp/tempo.headers.authorization has no credentials: environment variable TEMPO_TOKEN is not set, so the collector sends an empty value',
    fix: "Set TEMPO_TOKEN in the collector's environment (and restart it), or change exporters.otlp/tempo.headers.authorization",
  });
  t.end();
});

t.test('example: http-proxy.yaml', (t) => {
  const m = read(['config/examples/http-proxy.yaml'], { PROXY_PASSWORD: SECRET, VENDOR_API_KEY: 'key-9876' });
  t.same(m.exporters.map((e) => e.name), ['otlphttp/vendor', 'debug'], 'debug is listed, not probed');
  t.match(m.exporters[1], { protocol: 'none', note: /^not probed: debug/ });
  const e = m.exporters[0]!;
  t.match(e, {
    protocol: 'http',
    endpoint: 'https://otlp.vendor.example',
    tracesEndpoint: 'https://otlp.vendor.example/v1/traces',
    proxyUrl: `http://collector:${SECRET}@proxy.internal:3128`,
    compression: 'zstd',
    timeoutMs: 20000,
    headers: { 'x-api-key': 'key-9876' },
  });
  t.ok(e.secrets.includes(SECRET) && e.secrets.includes('key-9876') && e.secrets.includes(`collector:${SECRET}`));
  t.same(reasons(e), []);
  t.equal(m.telemetryUrl, 'http://127.0.0.1:8888/metrics', 'from the older address key');
  t.end();
});

t.test('example: two-pipelines.yaml', (t) => {
  const m = read(['config/examples/two-pipelines.yaml'], {});
  t.same(m.exporters.map((e) => [e.name, e.protocol]), [['otlp_grpc/traces', 'grpc'], ['otlp_http/metrics', 'http']]);
  const traces = m.exporters[0]!;
  t.same(reasons(traces), ['tls_config_invalid', 'missing_credentials']);
  t.equal(
    traces.configProblems[1]!.message,
    'exporter "otlp_grpc/traces": extensions.bearertokenauth/traces.filename has no credentials: file "/var/run/secrets/otel/traces-token" cannot be read (ENOENT)',
  );
  const metrics = m.exporters[1]!;
  t.same(metrics.headers, { 'x-scope-orgid': 'default' });
  t.same(reasons(metrics), [], 'a defaulted variable is not a problem');
  t.equal(metrics.timeoutMs, 30000, 'HTTP default timeout');
  t.equal(traces.timeoutMs, 5000, 'gRPC default timeout');
  t.same(m.memoryLimiter, { limitMib: 1500, spikeLimitMib: 300 });
  t.equal(m.telemetryUrl, 'http://127.0.0.1:9888/metrics');
  t.end();
});

t.test('several files merge as the collector merges them', (t) => {
  const a = write(`
exporters:
  otlp/a: { endpoint: "a:4317", tls: { insecure: true }, headers: { x-one: "1" } }
  otlp/b: { endpoint: "b:4317", tls: { insecure: true } }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp/a, otlp/b] }
`);
  const b = write(`
exporters:
  otlp/a: { endpoint: "a2:4317", headers: { x-two: "2" } }
service:
  pipelines:
    traces: { exporters: [otlp/b] }
    logs: { receivers: [otlp], exporters: [otlp/a] }
`);
  const m = read([a, b]);
  t.same(m.files, [a, b]);
  t.same(m.exporters.map((e) => e.name), ['otlp/b', 'otlp/a'], 'lists are replaced, order of first use');
  const ea = byName(m.exporters, 'otlp/a');
  t.equal(ea.endpoint, 'a2:4317');
  t.equal(ea.tls.insecure, true, 'maps merge key by key');
  t.same(ea.headers, { 'x-one': '1', 'x-two': '2' });
  t.equal(ea.source, b, 'the last file that defined it');
  t.equal(byName(m.exporters, 'otlp/b').source, a);
  t.end();
});

t.test('authenticators', (t) => {
  const tokenFile = write(`\n  ${SECRET}\n`, 'token.txt');
  const f = write(`
extensions:
  bearertokenauth/env: { token: "\${env:TOK}" }
  bearertokenauth/file: { filename: ${tokenFile}, scheme: Token }
  bearertokenauth/header: { token: "${SECRET}", header: X-Auth, scheme: "" }
  basicauth/client: { client_auth: { username: alice, password: "\${env:PASS}" } }
  headers_setter/t:
    headers:
      - { key: X-Tenant, value: acme }
      - { key: X-Scope, from_context: tenant }
      - { key: X-Org, from_context: org, default_value: org-1 }
  bearertokenauth/disabled: { token: abc }
exporters:
  otlp/env: { endpoint: "h:4317", auth: { authenticator: bearertokenauth/env } }
  otlp/file: { endpoint: "h:4317", auth: { authenticator: bearertokenauth/file } }
  otlp/header: { endpoint: "h:4317", auth: { authenticator: bearertokenauth/header } }
  otlphttp/basic: { endpoint: "http://h:4318", auth: { authenticator: basicauth/client } }
  otlphttp/setter: { endpoint: "http://h:4318", auth: { authenticator: headers_setter/t } }
  otlp/nowhere: { endpoint: "h:4317", auth: { authenticator: oauth2client/none } }
  otlp/disabled: { endpoint: "h:4317", auth: { authenticator: bearertokenauth/disabled } }
service:
  extensions: [bearertokenauth/env, bearertokenauth/file, bearertokenauth/header, basicauth/client, headers_setter/t]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp/env, otlp/file, otlp/header, otlphttp/basic, otlphttp/setter, otlp/nowhere, otlp/disabled]
`);
  const m = read([f], { TOK: SECRET, PASS: SECRET });
  const get = (name: string) => byName(m.exporters, name);
  t.same(get('otlp/env').headers, { Authorization: `Bearer ${SECRET}` });
  t.same(get('otlp/file').headers, { Authorization: `Token ${SECRET}` }, 'token file trimmed, custom scheme');
  t.same(get('otlp/header').headers, { 'X-Auth': SECRET }, 'custom header, empty scheme');
  const basic = `Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`;
  t.same(get('otlphttp/basic').headers, { Authorization: basic });
  t.ok(get('otlphttp/basic').secrets.includes(SECRET) && get('otlphttp/basic').secrets.includes(basic));
  t.same(get('otlphttp/setter').headers, { 'X-Tenant': 'acme', 'X-Org': 'org-1' }, 'from_context only with a default');
  for (const name of ['otlp/env', 'otlp/file', 'otlp/header', 'otlphttp/basic', 'otlphttp/setter']) t.same(reasons(get(name)), [], name);
  t.ok(get('otlp/file').secrets.includes(SECRET));

  t.same(reasons(get('otlp/nowhere')), ['missing_credentials']);
  t.equal(
    get('otlp/nowhere').configProblems[0]!.message,
    'exporter "otlp/nowhere": exporters.otlp/nowhere.auth.authenticator has no credentials: it names extension "oauth2client/none", which is not defined under extensions:',
  );
  t.equal(
    get('otlp/disabled').configProblems[0]!.message,
    'exporter "otlp/disabled": exporters.otlp/disabled.auth.authenticator has no credentials: extension "bearertokenauth/disabled" is not listed in service.extensions, so the collector cannot use it',
  );

  const unset = read([f], {});
  t.equal(
    byName(unset.exporters, 'otlp/env').configProblems[0]!.message,
    'exporter "otlp/env": extensions.bearertokenauth/env.token has no credentials: environment variable TOK is not set, so the collector sends an empty value',
  );
  t.same(byName(unset.exporters, 'otlp/env').headers, {});
  t.equal(
    byName(unset.exporters, 'otlphttp/basic').configProblems[0]!.fix,
    "Set PASS in the collector's environment (and restart it), or change extensions.basicauth/client.client_auth.password",
  );
  t.notMatch(visibleText(m.exporters) + visibleText(unset.exporters), SECRET);
  t.end();
});

t.test('an endpoint written as a variable that is not set: missing_endpoint names the key and the reference', async (t) => {
  const f = write(`
exporters:
  otlphttp/tenant: { traces_endpoint: "\${env:TENANT_URL}" }
  otlp/tempo: { endpoint: "\${env:TEMPO_ENDPOINT}", tls: { insecure: true } }
  otlphttp/fallback: { endpoint: "http://tempo:4318", traces_endpoint: "\${env:TENANT_URL}" }
  otlp/plain: {}
${PIPE('otlphttp/tenant, otlp/tempo, otlphttp/fallback, otlp/plain')}`);
  const m = read([f], {});
  const first = (name: string) => byName(m.exporters, name).configProblems[0];
  t.match(first('otlphttp/tenant'), {
    reason: 'missing_endpoint',
    message: `exporter "otlphttp/tenant" has no traces_endpoint (in ${f}): it is written as \${env:TENANT_URL}, and that variable is not set, so the value is empty`,
    fix: /^Set exporters\.otlphttp\/tenant\.traces_endpoint: .*the full URL, e\.g\. "https:\/\/tempo:4318\/v1\/traces"/,
  });
  t.match(first('otlp/tempo'), {
    reason: 'missing_endpoint',
    message: `exporter "otlp/tempo" has no endpoint (in ${f}): it is written as \${env:TEMPO_ENDPOINT}, and that variable is not set, so the value is empty`,
    fix: /^Set exporters\.otlp\/tempo\.endpoint: /,
  });
  // the collector falls back to endpoint + /v1/traces: nothing is missing
  t.notOk(reasons(byName(m.exporters, 'otlphttp/fallback')).includes('missing_endpoint'), 'an empty traces_endpoint beside an endpoint is not missing');
  // written as nothing at all: as before
  t.match(first('otlp/plain'), { reason: 'missing_endpoint', message: /has no endpoint \(in .*\): no endpoint is set$/ });
  const set = read([f], { TENANT_URL: 'https://tenant:4318/v1/traces', TEMPO_ENDPOINT: 'tempo:4317' });
  t.notOk(reasons(byName(set.exporters, 'otlphttp/tenant')).includes('missing_endpoint'), 'set: no missing endpoint');
  t.notOk(reasons(byName(set.exporters, 'otlp/tempo')).includes('missing_endpoint'), 'set: no missing endpoint');
});

t.test('static problems, one by one', async (t) => {
  const { dir, ca } = testCerts();
  const now = Date.now();
  const day = 86_400_000;
  const client = (name: string, start: Date, end: Date) => {
    const c = issueCert(dir, 'ca', { name, cn: name, client: true, start, end });
    return { cert: c.certFile, key: c.keyFile };
  };
  const valid = client('valid-client', new Date(now - day), new Date(now + 400 * day));
  const soon = client('soon-client', new Date(now - day), new Date(now + 3 * day));
  const expired = client('expired-client', new Date('2020-01-01T00:00:00Z'), new Date('2020-02-01T00:00:00Z'));
  const f = write(`
exporters:
  otlp/none: {}
  otlp/bad: { endpoint: "tempo:4317/path" }
  otlp/p4318: { endpoint: "tempo:4318" }
  otlphttp/p4317: { endpoint: "http://tempo:4317" }
  otlp/https-insecure: { endpoint: "https://tempo:4317", tls: { insecure: true } }
  otlphttp/https-insecure: { endpoint: "https://tempo:4318", tls: { insecure: true } }
  otlphttp/path: { traces_endpoint: "http://tempo:4318/api/traces" }
  otlphttp/badurl: { endpoint: "tempo:4318" }
  otlp/valid: { endpoint: "tempo:4317", tls: { cert_file: ${valid.cert}, key_file: ${valid.key}, ca_file: ${ca.certFile} } }
  otlp/soon: { endpoint: "tempo:4317", tls: { cert_file: ${soon.cert}, key_file: ${soon.key} } }
  otlp/expired: { endpoint: "tempo:4317", tls: { cert_file: ${expired.cert}, key_file: ${expired.key} } }
  otlp/mismatch: { endpoint: "tempo:4317", tls: { cert_file: ${valid.cert}, key_file: ${soon.key} } }
  otlp/insecure-files: { endpoint: "tempo:4317", tls: { insecure: true, cert_file: /nope.crt, key_file: /nope.key } }
  otlp/envvar: { endpoint: "\${env:TEMPO_HOST}:4317", tls: { insecure: true }, headers: { x-key: "\${env:API_KEY}" } }
  otlp/badtimeout: { endpoint: "tempo:4317" }
${PIPE('otlp/none, otlp/bad, otlp/p4318, otlphttp/p4317, otlp/https-insecure, otlphttp/https-insecure, otlphttp/path, otlphttp/badurl, otlp/valid, otlp/soon, otlp/expired, otlp/mismatch, otlp/insecure-files, otlp/envvar')}`);
  const m = read([f], {}, sentinel(), now);
  const get = (name: string) => byName(m.exporters, name);
  const only = (name: string, reason: string) => {
    t.same(reasons(get(name)), [reason], name);
    return get(name).configProblems[0]!;
  };

  t.match(only('otlp/none', 'missing_endpoint'), {
    cause: 'endpoint',
    severity: 'critical',
    message: `exporter "otlp/none" has no endpoint (in ${f}): no endpoint is set`,
    fix: /^Set exporters\.otlp\/none\.endpoint: host:port/,
  });
  t.match(only('otlp/bad', 'invalid_endpoint'), {
    message: `exporter "otlp/bad": endpoint is unusable (in ${f}): a gRPC endpoint takes no path: "tempo:4317/path"`,
    fix: /^Change exporters\.otlp\/bad\.endpoint: /,
  });
  t.match(only('otlphttp/badurl', 'invalid_endpoint'), { message: /"tempo:4318\/v1\/traces" needs an http:\/\/ or https:\/\/ scheme/ });
  t.match(only('otlp/p4318', 'grpc_port_mismatch'), {
    cause: 'protocol',
    severity: 'warning',
    message: 'exporter "otlp/p4318" speaks OTLP/gRPC but its endpoint "tempo:4318" is port 4318, the OTLP/HTTP port',
    fix: /exporters\.otlp\/p4318\.endpoint .*otlp_http exporters send to port 4318 and append \/v1\/traces/,
  });
  t.match(only('otlphttp/p4317', 'http_port_mismatch'), {
    message: 'exporter "otlphttp/p4317" speaks OTLP/HTTP but its endpoint "http://tempo:4317" is port 4317, the OTLP/gRPC port',
    fix: /^Set exporters\.otlphttp\/p4317\.endpoint to the HTTP port/,
  });
  t.match(only('otlp/https-insecure', 'insecure_with_https'), {
    cause: 'tls',
    severity: 'warning',
    message:
      'exporter "otlp/https-insecure": endpoint "https://tempo:4317" is https:// and tls.insecure is true; the collector ignores insecure for an https:// endpoint and speaks TLS, verifying the server against the system\'s roots',
    fix: /remove exporters\.otlp\/https-insecure\.tls\.insecure/,
  });
  only('otlphttp/https-insecure', 'insecure_with_https');
  t.match(only('otlphttp/path', 'traces_path_unusual'), {
    cause: 'endpoint',
    severity: 'warning',
    message: 'exporter "otlphttp/path": traces_endpoint "http://tempo:4318/api/traces" has path "/api/traces", not ending in /v1/traces; traces_endpoint is used as is (nothing is appended)',
    fix: /^Set exporters\.otlphttp\/path\.traces_endpoint to the full URL ending in \/v1\/traces/,
  });
  t.same(reasons(get('otlp/valid')), [], 'a valid client certificate is no problem');
  t.match(only('otlp/soon', 'tls_client_cert_expiring'), {
    cause: 'tls',
    severity: 'warning',
    message: new RegExp(`^exporter "otlp/soon": the client certificate CN=soon-client from tls\\.cert_file "${soon.cert}" expires at .* \\(in (2d23h|3d|71h|72h)[0-9m]*, within thresholds\\.cert_expiry 336h\\)$`),
  });
  t.match(only('otlp/expired', 'tls_client_cert_expired'), {
    cause: 'tls',
    severity: 'critical',
    message: `exporter "otlp/expired": the client certificate CN=expired-client from tls.cert_file "${expired.cert}" expired at 2020-02-01T00:00:00.000Z`,
    fix: 'Renew the client certificate and replace exporters.otlp/expired.tls.cert_file (and its key) with the new one, then restart or reload the collector',
  });
  t.match(only('otlp/mismatch', 'tls_config_invalid'), {
    message: 'exporter "otlp/mismatch": tls.key_file is unusable: the private key does not match the client certificate',
  });
  t.same(reasons(get('otlp/insecure-files')), [], 'insecure without a CA reads no TLS file, as the collector');
  t.same(reasons(get('otlp/envvar')), ['invalid_endpoint', 'env_var_unset', 'missing_credentials']);
  const envvar = get('otlp/envvar').configProblems;
  t.match(envvar.find((p) => p.reason === 'env_var_unset'), {
    cause: 'endpoint',
    severity: 'warning',
    message: `exporter "otlp/envvar": exporters.otlp/envvar.endpoint refers to environment variable TEMPO_HOST, which is not set in the collector's environment; the collector uses an empty value`,
  });
  t.match(envvar.find((p) => p.reason === 'missing_credentials'), { message: /headers\.x-key has no credentials: environment variable API_KEY is not set/ });
  t.match(envvar.find((p) => p.reason === 'invalid_endpoint'), { message: /":4317" is not host:port/ });

  const later = read([f], {}, sentinel({ certExpiryMs: 0 }), now);
  t.same(reasons(byName(later.exporters, 'otlp/soon')), [], 'cert_expiry 0 turns the warning off');
  const future = read([f], {}, sentinel(), now + 500 * day);
  t.same(reasons(byName(future.exporters, 'otlp/valid')), ['tls_client_cert_expired'], 'the clock is injected');
});

t.test('probe.exporters narrows the list; unknown names are errors', (t) => {
  const f = write(`
exporters:
  otlp/a: { endpoint: "a:4317" }
  otlp/b: { endpoint: "b:4317" }
  otlp/unused: { endpoint: "u:4317" }
  debug: {}
${PIPE('otlp/a, debug, otlp/b')}`);
  const m = read([f], {}, sentinel({ probe: { exporters: ['otlp/b'] } }));
  t.same(m.exporters.map((e) => e.name), ['otlp/b']);
  const cases: [string, string][] = [
    ['otlp/zzz', `/etc/otel-sentinel/sentinel.yaml: probe.exporters[1]: "otlp/zzz" is not an exporter of the collector's config (${f}); choose from: otlp/a, debug, otlp/b`],
    ['otlp/unused', '/etc/otel-sentinel/sentinel.yaml: probe.exporters[1]: "otlp/unused" is defined but no pipeline uses it, so the collector does not send to it; choose from: otlp/a, debug, otlp/b'],
  ];
  t.same(read([f], {}, sentinel({ probe: { exporters: ['debug'] } })).exporters.map((e) => e.name), ['debug'], 'any exporter of a pipeline can be chosen');
  for (const [name, message] of cases) {
    t.throws(() => read([f], {}, sentinel({ probe: { exporters: ['otlp/a', name] } })), { name: 'ConfigError', message }, name);
  }
  t.end();
});

t.test('probe.extra_targets are read like collector exporters', (t) => {
  const f = write(`exporters:\n  otlp/a: { endpoint: "a:4317" }\n${PIPE('otlp/a')}`);
  const s = sentinel({
    probe: {
      extraTargets: [
        { name: 'backup', type: 'otlp_http', endpoint: 'http://127.0.0.1:4317', headers: { authorization: 'Bearer ${env:BACKUP_TOKEN}' } },
        { name: 'grpc-backup', type: 'otlp_grpc', endpoint: '127.0.0.1:4317', tls: { insecure: true } },
      ],
    },
  });
  const m = read([f], { BACKUP_TOKEN: SECRET }, s);
  t.same(m.exporters.map((e) => [e.name, e.type, e.protocol, e.source]), [
    ['otlp/a', 'otlp', 'grpc', f],
    ['backup', 'otlp_http', 'http', '/etc/otel-sentinel/sentinel.yaml'],
    ['grpc-backup', 'otlp_grpc', 'grpc', '/etc/otel-sentinel/sentinel.yaml'],
  ]);
  const backup = byName(m.exporters, 'backup');
  t.same(backup.headers, { authorization: `Bearer ${SECRET}` });
  t.match(backup.configProblems[0], {
    reason: 'http_port_mismatch',
    fix: /^Set probe\.extra_targets\[0\]\.endpoint to the HTTP port/,
  });
  const unset = read([f], {}, s);
  t.match(byName(unset.exporters, 'backup').configProblems.find((p) => p.reason === 'missing_credentials'), {
    message: 'exporter "backup": probe.extra_targets[0].headers.authorization has no credentials: environment variable BACKUP_TOKEN is not set, so the collector sends an empty value',
  });
  t.throws(
    () => read([f], {}, sentinel({ probe: { extraTargets: [{ name: 'otlp/a', type: 'otlp', endpoint: 'x:1' }] } })),
    { message: `/etc/otel-sentinel/sentinel.yaml: probe.extra_targets[0].name: "otlp/a" is already an exporter of the collector's config; give the extra target another name` },
  );
  const alone = read([], {}, sentinel({ probe: { extraTargets: [{ name: 'x', type: 'otlp', endpoint: '127.0.0.1:4317' }] } }));
  t.same(alone.exporters.map((e) => e.name), ['x']);
  t.equal(alone.telemetryUrl, '', 'no collector config: nothing to scrape');
  t.end();
});

t.test('telemetry URL', (t) => {
  const cases: [string, string][] = [
    ['', 'http://127.0.0.1:8888/metrics'],
    ['telemetry: { metrics: { level: none } }', ''],
    ['telemetry: { metrics: { readers: [ { pull: { exporter: { prometheus: { host: "10.0.0.5" } } } } ] } }', 'http://10.0.0.5:8888/metrics'],
    ['telemetry: { metrics: { readers: [ { pull: { exporter: { prometheus: { host: 0.0.0.0, port: 7777 } } } } ] } }', 'http://127.0.0.1:7777/metrics'],
    ['telemetry: { metrics: { readers: [ { pull: { exporter: { prometheus: { host: "::1", port: "${env:MPORT}" } } } } ] } }', 'http://[::1]:6666/metrics'],
    ['telemetry: { metrics: { readers: [ { periodic: { exporter: { otlp: { endpoint: "x:4317" } } } } ] } }', ''],
  ];
  for (const [telemetry, want] of cases) {
    const f = write(`exporters:\n  otlp: { endpoint: "a:4317" }\nservice:\n  ${telemetry}\n  pipelines:\n    traces: { receivers: [otlp], exporters: [otlp] }\n`);
    t.equal(read([f], { MPORT: '6666' }).telemetryUrl, want, telemetry || 'default');
  }
  const f = write(`exporters:\n  otlp: { endpoint: "a:4317" }\n${PIPE('otlp')}`);
  t.equal(read([f], {}, sentinel({ telemetryUrl: 'http://10.1.1.1:1/m' })).telemetryUrl, 'http://10.1.1.1:1/m');
  t.equal(read([f], {}, sentinel({ telemetryUrl: '' })).telemetryUrl, '');
  t.end();
});

t.test('memory_limiter: the smallest used by a pipeline', (t) => {
  const f = write(`
processors:
  memory_limiter: { limit_mib: 4000 }
  memory_limiter/small: { limit_mib: 512, limit_percentage: 10 }
  memory_limiter/pct: { limit_percentage: 75 }
  memory_limiter/unused: { limit_mib: 1 }
exporters:
  otlp: { endpoint: "a:4317" }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter, memory_limiter/pct], exporters: [otlp] }
    logs: { receivers: [otlp], processors: [memory_limiter/small], exporters: [otlp] }
`);
  t.same(read([f]).memoryLimiter, { limitMib: 512, limitPercentage: 75 });

  // the soft limit (limit - spike) decides which refuses data first: 600 - 400 < 512 - 512/5
  const g = write(`
processors:
  memory_limiter/small: { limit_mib: 512 }
  memory_limiter/spiky: { limit_mib: 600, spike_limit_mib: 400 }
  memory_limiter/pct: { limit_percentage: 75, spike_limit_percentage: 50 }
  memory_limiter/pct2: { limit_percentage: 50, spike_limit_percentage: 0 }
exporters:
  otlp: { endpoint: "a:4317" }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter/small, memory_limiter/spiky, memory_limiter/pct, memory_limiter/pct2], exporters: [otlp] }
`);
  t.same(read([g]).memoryLimiter, { limitMib: 600, spikeLimitMib: 400, limitPercentage: 75, spikeLimitPercentage: 50 }, 'by soft limit: 200 MiB; 25% against 40%');
  t.end();
});

t.test('unusable collector configs are ConfigErrors naming the file and key', (t) => {
  const missing = join(dir, 'absent.yaml');
  const cases: [string, string][] = [
    ['- a\n', 'FILE: expected a map at the top level (receivers, processors, exporters, extensions, service), got a list'],
    ['exporters: {}\n', 'FILE: service: missing: the collector needs service.pipelines naming the exporters it uses'],
    ['service: { pipelines: [] }\n', 'FILE: service.pipelines: expected a map of pipelines (e.g. traces: {receivers: [otlp], exporters: [otlp]}), got a list'],
    [PIPE('otlp/ghost'), 'FILE: service.pipelines.traces.exporters[0]: names exporter "otlp/ghost", which is not defined under exporters:'],
    [`exporters:\n  otlp: { endpoint: "\${env:BAD-NAME}" }\n${PIPE('otlp')}`, 'FILE: exporters.otlp.endpoint: environment variable "BAD-NAME" has an invalid name: it must match ^[a-zA-Z_][a-zA-Z0-9_]*$'],
    [`exporters:\n  otlp: { endpoint: "a:4317", timeout: 10 seconds }\n${PIPE('otlp')}`, 'FILE: exporters.otlp.timeout: expected a duration like "5s" or "1m30s", got "10 seconds"'],
  ];
  for (const [text, want] of cases) {
    const f = write(text);
    t.throws(() => read([f]), { name: 'ConfigError', message: want.replace('FILE', f) }, want);
  }
  t.throws(() => read([missing]), {
    name: 'ConfigError',
    message: `${missing}: the collector's config file (collector.config_files or --collector-config) does not exist (ENOENT)`,
  });
  const syntax = write('exporters:\n  otlp: [\n');
  t.throws(() => read([syntax]), { message: new RegExp(`^${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML syntax error: `) });
  t.end();
});

t.test('no secret value reaches a problem or an error', (t) => {
  const f = write(`
extensions:
  basicauth/x: { client_auth: { username: "${SECRET}", password: "" } }
exporters:
  otlp/a:
    endpoint: "https://user:${SECRET}@:4318"
    headers: { authorization: "Bearer ${SECRET}" }
    tls: { insecure: true, ca_pem: "${SECRET}" }
    auth: { authenticator: basicauth/x }
  otlphttp/b:
    endpoint: "http://h:4317"
    proxy_url: "http://u:${SECRET}@proxy:3128"
    headers: { x-key: "${SECRET}" }
service:
  extensions: [basicauth/x]
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp/a, otlphttp/b] }
`);
  const m = read([f]);
  t.ok(m.exporters.every((e) => e.configProblems.length > 0), 'there are problems to look at');
  t.notMatch(visibleText(m.exporters), SECRET);
  for (const e of m.exporters) t.ok(e.secrets.some((s) => s.includes(SECRET)), `${e.name} lists the secret`);
  const bad = write(`exporters:\n  otlp: { endpoint: "a:4317", headers: { x: "${SECRET}" }, timeout: "${SECRET}" }\n${PIPE('otlp')}`);
  let message = '';
  try {
    read([bad]);
  } catch (err) {
    t.type(err, ConfigError);
    message = (err as Error).message;
  }
  t.match(message, /exporters\.otlp\.timeout: expected a duration/);
  t.notMatch(message, SECRET);
  t.end();
});
