import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultSentinelConfig, loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { FILE_LIMITS, FileTooLargeError, formatBytes, formatSize, readBoundedFileSync } from '../../src/config/read-bounded-file.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { createHttpServer } from '../../src/http/server.js';
import { watchFiles } from '../../src/config/watch-files.js';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { runCli } from '../helpers/run-cli.js';
import { webConfig } from '../helpers/diagnosis-fixture.js';

const MiB = 1024 * 1024;

function dir(t: Test): string {
  const d = mkdtempSync(join(tmpdir(), 'sentinel-oversize-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A file of `size` bytes that takes no disk: a hole, as large as stat() says. */
function sparse(file: string, size: number): string {
  closeSync(openSync(file, 'w'));
  truncateSync(file, size);
  return file;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const sentinel = (over: Partial<SentinelConfig> = {}): SentinelConfig => ({ ...defaultSentinelConfig(), ...over });

t.test('sizes and limits as they are written in messages', async (t) => {
  t.equal(formatBytes(4 * MiB), '4 MiB');
  t.equal(formatBytes(64 * 1024), '64 KiB');
  t.equal(formatBytes(1000), '1,000 bytes');
  t.equal(formatSize(50 * MiB), '52,428,800 bytes (50.0 MiB)');
  t.equal(formatSize(900), '900 bytes');
});

t.test('the bounded reader: whole files within the limit, refused past it before or while reading', async (t) => {
  const d = dir(t);
  const small = join(d, 'small');
  writeFileSync(small, 'x'.repeat(1000));
  t.equal(readBoundedFileSync(small, 1000).length, 1000, 'a file of exactly the limit is read whole');
  const empty = join(d, 'empty');
  writeFileSync(empty, '');
  t.equal(readBoundedFileSync(empty, 10).length, 0, 'an empty file is empty');
  const over = thrown(() => readBoundedFileSync(small, 999));
  t.ok(over instanceof FileTooLargeError, 'one byte over is refused');
  t.equal((over as FileTooLargeError).message, `${small} is 1,000 bytes, over the limit of 999 bytes`);
  t.equal((over as FileTooLargeError).code, 'EFBIG');
  // a device without a size: read up to one byte past the limit, then refused
  const endless = thrown(() => readBoundedFileSync('/dev/zero', 256 * 1024));
  t.ok(endless instanceof FileTooLargeError, '/dev/zero is refused');
  t.equal((endless as FileTooLargeError).message, '/dev/zero is more than 256 KiB, over the limit of 256 KiB');
  t.equal((thrown(() => readBoundedFileSync(join(d, 'none'), 10)) as NodeJS.ErrnoException).code, 'ENOENT', 'a missing file keeps its errno');
});

t.test('a 50 MB collector config is refused with the file, its size and the limit', async (t) => {
  const d = dir(t);
  const file = sparse(join(d, 'collector.yaml'), 50 * MiB);
  const err = thrown(() => readCollectorConfig({ files: [file], env: {}, sentinel: sentinel() }));
  t.ok(err instanceof ConfigError, 'a ConfigError');
  const msg = (err as Error).message;
  t.match(msg, `${file}: the collector's config file`);
  t.match(msg, 'is 52,428,800 bytes (50.0 MiB), over the limit of 4 MiB', 'its size and the limit');
  t.equal(FILE_LIMITS.collectorConfig, 4 * MiB);
});

t.test("otel-sentinel's own config over 1 MiB is refused the same way", async (t) => {
  const d = dir(t);
  const file = join(d, 'sentinel.yaml');
  writeFileSync(file, `# ${'x'.repeat(MiB)}\nlog:\n  level: info\n`);
  const err = thrown(() => loadSentinelConfig(file));
  t.ok(err instanceof ConfigError);
  t.match((err as Error).message, `${file}: the otel-sentinel configuration file (--config or OTEL_SENTINEL_CONFIG) is 1,048,598 bytes (1.0 MiB), over the limit of 1 MiB`);
});

t.test('check with a 50 MB collector config: exit 2 with the file, its size and the limit', async (t) => {
  const d = dir(t);
  const collector = sparse(join(d, 'collector.yaml'), 50 * MiB);
  const file = join(d, 'sentinel.yaml');
  writeFileSync(file, `collector:\n  config_files: [${JSON.stringify(collector)}]\n  use_process_environment: false\n`);
  const run = await runCli(['check', '--config', file]);
  t.equal(run.code, 2, 'exit 2: unusable configuration');
  t.match(run.stderr, `configuration unusable: ${collector}: the collector's config file`);
  t.match(run.stderr, '52,428,800 bytes (50.0 MiB), over the limit of 4 MiB');
});

t.test('an ${env:} value larger than 1 Mi characters names the key, the size and the limit', async (t) => {
  const d = dir(t);
  const file = join(d, 'collector.yaml');
  writeFileSync(file, collectorYaml({ otlp: { endpoint: '${env:HUGE}' } }));
  const err = thrown(() => readCollectorConfig({ files: [file], env: { HUGE: 'h'.repeat(MiB + 1) }, sentinel: sentinel() }));
  t.ok(err instanceof ConfigError);
  t.match((err as Error).message, `${file}: exporters.otlp.endpoint: the value grows to 1,048,577 characters while expanding, over the limit of 1,048,576 (1 Mi)`);
  t.notMatch((err as Error).message, 'hhhh', 'the value itself is not repeated');
});

t.test('TLS and token files over their limits are problems of their exporter, with size and limit', async (t) => {
  const d = dir(t);
  const ca = sparse(join(d, 'ca.pem'), 5 * MiB);
  const token = join(d, 'token');
  writeFileSync(token, 't'.repeat(64 * 1024 + 1));
  const file = join(d, 'collector.yaml');
  writeFileSync(
    file,
    collectorYaml(
      {
        'otlp/tls': { endpoint: 'backend.invalid:4317', tls: { ca_file: ca } },
        'otlp/token': { endpoint: 'backend.invalid:4317', tls: { insecure: true }, auth: { authenticator: 'bearertokenauth' } },
      },
      { extensions: { bearertokenauth: { filename: token } }, service: { extensions: ['bearertokenauth'] } },
    ),
  );
  const model = readCollectorConfig({ files: [file], env: {}, sentinel: sentinel() });
  const tls = model.exporters.find((e) => e.name === 'otlp/tls')!.configProblems.find((p) => p.reason === 'tls_config_invalid');
  t.match(tls?.message, `"${ca}" is 5,242,880 bytes (5.0 MiB)`, 'the CA file: its size');
  t.match(tls?.message, 'over the limit of 4 MiB');
  const auth = model.exporters.find((e) => e.name === 'otlp/token')!.configProblems.find((p) => p.reason === 'missing_credentials');
  t.match(auth?.message, 'is 65,537 bytes, over the limit of 64 KiB', 'the token file: its size and the limit');
  t.notMatch(auth?.message, 'tttt', 'never the token');
});

t.test('web.tls_cert_file over the limit stops the start with the key, the size and the limit', async (t) => {
  const d = dir(t);
  const cert = sparse(join(d, 'cert.pem'), 5 * MiB);
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig({ tlsCertFile: cert, tlsKeyFile: cert }),
    registry: new Registry(),
    diagnosis: () => null,
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  await t.rejects(server.start(), { name: 'ConfigError', message: `${cert}: web.tls_cert_file: is 5,242,880 bytes (5.0 MiB), over the limit of 4 MiB; point web.tls_cert_file at a PEM file` });
  await server.close();
});

t.test('a watched file too large to digest still reports a change', async (t) => {
  const d = dir(t);
  const file = sparse(join(d, 'collector.yaml'), 9 * MiB);
  let changes = 0;
  const w = watchFiles([file], () => changes++);
  t.teardown(() => w.close());
  truncateSync(file, 10 * MiB);
  const until = Date.now() + 10_000;
  while (changes === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  t.equal(changes, 1, 'the change of size was seen');
});

t.test('a ${file:} reference over its limit is not read, and the note says the size and the limit', (t) => {
  const d = dir(t);
  const token = sparse(join(d, 'token'), 3 * MiB);
  const big = sparse(join(d, 'endpoint'), 2 * MiB);
  const file = join(d, 'collector.yaml');
  writeFileSync(
    file,
    [
      'exporters:',
      '  otlp_http/header:',
      '    endpoint: http://127.0.0.1:4318',
      `    headers: {authorization: "\${file:${token}}"}`,
      '  otlp_http/endpoint:',
      `    endpoint: "\${file:${big}}"`,
      'service:',
      '  pipelines: {traces: {receivers: [otlp], exporters: [otlp_http/header, otlp_http/endpoint]}}',
      '',
    ].join('\n'),
  );
  const model = readCollectorConfig({ files: [file], env: {}, sentinel: defaultSentinelConfig() });
  const byName = new Map(model.exporters.map((e) => [e.name, e]));
  const header = byName.get('otlp_http/header');
  t.equal(header?.handshakeOnly, true, 'the request is left out, the transport still probed');
  t.match(header?.note, `is 3,145,728 bytes (3.0 MiB), over the limit of ${formatBytes(MiB)}`);
  t.same(header?.configProblems, [], 'not a problem: the collector may read it');
  const endpoint = byName.get('otlp_http/endpoint');
  t.equal(endpoint?.protocol, 'none', 'an endpoint not read is not probed');
  t.match(endpoint?.note, `the file is 2,097,152 bytes (2.0 MiB), over the limit of ${formatBytes(MiB)}`);
  t.end();
});
