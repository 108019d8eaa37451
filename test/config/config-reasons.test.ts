import t from 'tap';
import { readFileSync } from 'node:fs';
import { CATALOGUE, problem } from '../../src/diagnose/catalogue.js';
import { configReasons } from '../../src/diagnose/reasons/config.js';

const CODES: readonly (keyof typeof configReasons)[] = [
  'missing_endpoint',
  'invalid_endpoint',
  'missing_credentials',
  'invalid_header_value',
  'tls_config_invalid',
  'grpc_port_mismatch',
  'http_port_mismatch',
  'insecure_with_https',
  'traces_path_unusual',
  'tls_client_cert_expired',
  'tls_client_cert_expiring',
  'env_var_unset',
  'unknown_exporter_key',
];

t.test('the configuration reasons are exactly these, in the catalogue', (t) => {
  t.same(Object.keys(configReasons).sort(), [...CODES].sort());
  for (const code of CODES) t.equal(CATALOGUE[code], configReasons[code], code);
  t.end();
});

t.test('docs/configuration.md lists each with its cause and severity', (t) => {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  for (const code of CODES) {
    const spec = configReasons[code]!;
    t.match(doc, `| \`${code}\` | ${spec.cause} | ${spec.severity} |`, code);
  }
  t.end();
});

t.test('with the probe\'s facts only, texts are complete', (t) => {
  for (const code of CODES) {
    const p = problem(code, { exporter: 'otlp/x', key: 'endpoint', detail: 'seen' });
    t.notMatch(p.message, /undefined|null|\[object/, `${code} message`);
    t.notMatch(p.fix, /undefined|null|\[object/, `${code} fix`);
    t.match(p.message, 'otlp/x', `${code} names the exporter`);
  }
  t.equal(problem('invalid_endpoint', { exporter: 'otlp/x', key: 'endpoint', detail: '"a/b" is not host:port' }).message,
    'exporter "otlp/x": endpoint is unusable: "a/b" is not host:port');
  t.equal(problem('tls_config_invalid', { exporter: 'otlp/x', key: 'tls.ca_file', detail: 'cannot read "/ca.pem" (ENOENT)' }).fix,
    'Fix exporters.otlp/x.tls.ca_file: a readable PEM file (ca_file: the CA that signed the server certificate; cert_file and key_file: the client certificate and its matching private key)');
  t.end();
});

t.test('unsendable header values: what grpc-go and Go\'s HTTP client refuse, in words', async (t) => {
  const { unsendable } = await import('../../src/config/build-exporter-spec.js');
  t.equal(unsendable('authorization', 'Bearer abc', 'grpc'), null);
  t.equal(unsendable('authorization', 'Bearer abc\n', 'grpc'), 'a newline (\\n) at its end');
  t.equal(unsendable('authorization', 'Bearer abc\r\n', 'http'), 'a carriage return (\\r) at character 11 of 12');
  t.equal(unsendable('x-a', '\u0001x', 'http'), 'a control character (0x01) at its start');
  t.equal(unsendable('x-a', 'a\tb', 'http'), null, 'HTTP takes a tab');
  t.equal(unsendable('x-a', 'a\tb', 'grpc'), 'a tab at character 2 of 3', 'gRPC metadata does not');
  t.equal(unsendable('x-a', 'café', 'http'), null, 'HTTP takes bytes above ASCII');
  t.equal(unsendable('x-a', 'café', 'grpc'), 'a character outside ASCII at its end');
  t.equal(unsendable('x-a', 'del\u007f', 'http'), 'a control character (0x7f) at its end');
  t.equal(unsendable('trace-bin', '\u0000\u0001', 'grpc'), null, 'a -bin key carries bytes');
});

t.test('invalid_header_value also for a value an authenticator sends as is; never for a token file the extension trims', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readCollectorConfig } = await import('../../src/config/read-collector-config.js');
  const { loadSentinelConfig } = await import('../../src/config/load-sentinel-config.js');
  const dir = mkdtempSync(join(tmpdir(), 'os-auth-hdr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'tok-in-file-7d1\n');
  const file = join(dir, 'collector.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      extensions: { 'bearertokenauth/inline': { token: '${env:TOK}' }, 'bearertokenauth/file': { filename: tokenFile } },
      exporters: {
        'otlp_grpc/inline': { endpoint: '127.0.0.1:4317', auth: { authenticator: 'bearertokenauth/inline' } },
        'otlp_http/file': { endpoint: 'https://127.0.0.1:4318', auth: { authenticator: 'bearertokenauth/file' } },
      },
      service: {
        extensions: ['bearertokenauth/inline', 'bearertokenauth/file'],
        pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_grpc/inline', 'otlp_http/file'] } },
      },
    }),
  );
  const model = readCollectorConfig({ files: [file], env: { TOK: 'tok-inline-3a9\n' }, sentinel: loadSentinelConfig(null, {}) });
  const inline = model.exporters.find((e) => e.name === 'otlp_grpc/inline')!.configProblems.find((p) => p.reason === 'invalid_header_value');
  t.match(inline?.message, 'extensions.bearertokenauth/inline.token holds a newline (\\n) at its end, which the collector cannot send in gRPC metadata');
  t.match(inline?.fix, '(it comes from ${env:TOK})');
  t.notMatch(`${inline?.message} ${inline?.fix}`, 'tok-inline-3a9', 'never the token');
  const fromFile = model.exporters.find((e) => e.name === 'otlp_http/file')!.configProblems;
  t.same(fromFile.filter((p) => p.reason === 'invalid_header_value'), [], 'the extension trims a token file: nothing to say');
});
