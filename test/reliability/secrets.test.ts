import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import bcrypt from 'bcryptjs';
import { testCerts } from '../helpers/certs.js';
import { closedPort, startConnectProxy, startGrpcServer, startHttpServer } from '../helpers/servers.js';
import { runCli } from '../helpers/run-cli.js';
import { configDir, startChild, waitFor, type ConfigDir } from '../helpers/reliability-harness.js';

const SECRET = 'PLANTED-SECRET-5f1e2d';
const ENV_NAME = 'SENTINEL_PLANTED_SECRET';

/** The key material of a PEM private key: each base64 line of its body. */
const keyLines = (pem: string): string[] => pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));

/** Every form the secret takes on the wire: as written, and inside Basic credentials. */
function forms(keys: string[]): string[] {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [SECRET, b64(`user:${SECRET}`), b64(`admin:${SECRET}`), b64(`sentinel:${SECRET}`), ...keys.flatMap(keyLines)];
}

function assertNoSecret(t: Test, what: string, text: string, secrets: string[]): void {
  const found = secrets.filter((s) => text.includes(s));
  t.same(found, [], `${what}: no secret (${text.length} characters searched)`);
  if (found.length > 0) {
    const at = text.indexOf(found[0]!);
    t.comment(`${what} leaks near: ${JSON.stringify(text.slice(Math.max(0, at - 160), at + 60))}`);
  }
}

/** An OTLP/HTTP receiver that answers `status` and echoes every request header back in its body. */
async function echoServer(t: Test, status: number): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(`rejected: ${JSON.stringify(req.headers)}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return (server.address() as { port: number }).port;
}

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; stdout: string }> {
  const r = await runCli(args, env);
  return { code: r.code, out: r.stdout + r.stderr, stdout: r.stdout };
}

interface Setup {
  cfg: ConfigDir;
  collectorText: string;
  secrets: string[];
  expected: Record<string, { up: true } | { reason: string }>;
}

/** One secret planted in every place a secret can live, behind exporters that succeed and fail at each layer. */
async function plant(t: Test): Promise<Setup> {
  const certs = testCerts(); // before any server runs here: openssl runs synchronously
  const cfg = configDir(t, 'sentinel-secrets-');
  const tokenFile = join(cfg.dir, 'token');
  writeFileSync(tokenFile, `${SECRET}\n`);

  const needsToken = await startHttpServer({ requiredToken: SECRET });
  const plain = await startHttpServer();
  const tlsOk = await startHttpServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  const mtls = await startHttpServer({ tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert } });
  const untrusted = await startHttpServer({ tls: { cert: certs.untrusted.cert, key: certs.untrusted.key } });
  const grpcOk = await startGrpcServer({ requiredToken: SECRET });
  const grpcEcho = await startGrpcServer({ status: grpcStatus.UNAUTHENTICATED, details: `token "Bearer ${SECRET}" is not valid` });
  const proxyOk = await startConnectProxy({ requiredAuth: `user:${SECRET}` });
  const proxyRefusing = await startConnectProxy({ refuseStatus: 403 });
  for (const s of [needsToken, plain, tlsOk, mtls, untrusted, grpcOk, grpcEcho, proxyOk, proxyRefusing]) t.teardown(() => s.close());
  const echo401 = await echoServer(t, 401);
  const echo400 = await echoServer(t, 400);
  const closed = await closedPort();
  const url = (port: number, tls = false): string => `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clientTls = { ca_pem: certs.ca.cert, cert_pem: certs.client.cert, key_pem: certs.client.key };

  const exporters: Record<string, unknown> = {
    'otlphttp/header-plain': { endpoint: url(echo401), headers: { authorization: `Bearer ${SECRET}` } },
    'otlphttp/header-env': { endpoint: url(echo400), headers: { 'x-api-key': `\${env:${ENV_NAME}}` } },
    'otlphttp/bearer-token': { endpoint: url(needsToken.port), auth: { authenticator: 'bearertokenauth/token' } },
    'otlphttp/bearer-file': { endpoint: url(echo401), auth: { authenticator: 'bearertokenauth/file' } },
    'otlphttp/basic': { endpoint: url(echo400), auth: { authenticator: 'basicauth/client' } },
    'otlp/headers-setter': { endpoint: `127.0.0.1:${grpcOk.port}`, tls: { insecure: true }, auth: { authenticator: 'headers_setter' } },
    'otlp/grpc-echo': { endpoint: `127.0.0.1:${grpcEcho.port}`, tls: { insecure: true }, headers: { authorization: `Bearer ${SECRET}` } },
    'otlphttp/proxy-ok': { endpoint: url(plain.port), proxy_url: `http://user:${SECRET}@127.0.0.1:${proxyOk.port}` },
    'otlphttp/proxy-ok-tls': { endpoint: url(tlsOk.port, true), proxy_url: `http://user:${SECRET}@127.0.0.1:${proxyOk.port}`, tls: { ca_pem: certs.ca.cert } },
    'otlphttp/proxy-refused': { endpoint: url(plain.port, true), proxy_url: `http://user:${SECRET}@127.0.0.1:${proxyRefusing.port}` },
    'otlphttp/userinfo-ok': { endpoint: `http://user:${SECRET}@127.0.0.1:${plain.port}` },
    'otlphttp/userinfo-down': { endpoint: `http://user:${SECRET}@127.0.0.1:${closed}` },
    'otlphttp/mtls-ok': { endpoint: url(mtls.port, true), tls: clientTls },
    'otlphttp/mtls-untrusted': { endpoint: url(untrusted.port, true), tls: clientTls },
    'otlphttp/key-mismatch': { endpoint: url(mtls.port, true), tls: { ...clientTls, key_pem: certs.untrustedClient.key } },
  };
  const extensions = {
    'bearertokenauth/token': { token: SECRET },
    'bearertokenauth/file': { filename: tokenFile },
    'basicauth/client': { client_auth: { username: 'user', password: SECRET } },
    headers_setter: { headers: [{ key: 'authorization', value: `Bearer ${SECRET}`, action: 'upsert' }] },
  };
  const extra = { extensions, service: { extensions: Object.keys(extensions) } };
  cfg.writeCollector(exporters, extra);
  const hash = bcrypt.hashSync(SECRET, 4);
  cfg.writeSentinel(['web:', '  basic_auth_users:', `    admin: ${JSON.stringify(hash)}`], { level: 'debug', interval: '3s', timeout: '3s' });
  return {
    cfg,
    collectorText: JSON.stringify({ exporters, extra }),
    secrets: forms([certs.client.key, certs.untrustedClient.key]),
    expected: {
      'otlphttp/header-plain': { reason: 'unauthorized' },
      'otlphttp/header-env': { reason: 'bad_request' },
      'otlphttp/bearer-token': { up: true },
      'otlphttp/bearer-file': { reason: 'unauthorized' },
      'otlphttp/basic': { reason: 'bad_request' },
      'otlp/headers-setter': { up: true },
      'otlp/grpc-echo': { reason: 'unauthorized' },
      'otlphttp/proxy-ok': { up: true },
      'otlphttp/proxy-ok-tls': { up: true },
      'otlphttp/proxy-refused': { reason: 'proxy_rejected' },
      'otlphttp/userinfo-ok': { up: true },
      'otlphttp/userinfo-down': { reason: 'connection_refused' },
      'otlphttp/mtls-ok': { up: true },
      'otlphttp/mtls-untrusted': { reason: 'tls_unknown_authority' },
      'otlphttp/key-mismatch': { reason: 'tls_config_invalid' },
    },
  };
}

interface Exp {
  name: string;
  up: boolean;
  problems: { reason: string }[];
}

function assertOutcomes(t: Test, exporters: Exp[], expected: Setup['expected']): void {
  for (const [name, want] of Object.entries(expected)) {
    const e = exporters.find((x) => x.name === name);
    if ('up' in want) t.equal(e?.up, true, `${name} succeeds (the secret was sent and accepted)`);
    else t.equal(e?.problems[0]?.reason, want.reason, `${name} fails with ${want.reason}`);
  }
}

t.test('a planted secret appears in no output of the daemon or of check', async (t) => {
  const s = await plant(t);
  const env = { [ENV_NAME]: SECRET };
  t.ok(s.collectorText.includes(SECRET), 'the secret is planted');

  const daemon = startChild(t, ['serve', '--config', s.cfg.sentinel], env);
  const base = await daemon.base();
  const auth = { authorization: `Basic ${Buffer.from(`admin:${SECRET}`).toString('base64')}` };
  const get = async (path: string, headers: Record<string, string> = auth): Promise<string> => {
    const res = await fetch(`${base}${path}`, { headers });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
    return body;
  };
  const first = await waitFor('every exporter probed twice', async () => {
    const d = JSON.parse(await get('/api/v1/diagnosis')) as { exporters: (Exp & { checked_at: string | null })[] };
    return d.exporters.every((e) => e.checked_at) ? d : undefined;
  });
  const seen = first.exporters.map((e) => `${e.name}@${e.checked_at}`);
  await waitFor('a second round', async () => {
    const d = JSON.parse(await get('/api/v1/diagnosis')) as { exporters: (Exp & { checked_at: string | null })[] };
    return d.exporters.every((e) => !seen.includes(`${e.name}@${e.checked_at}`)) ? true : undefined;
  });

  const diagnosis = await get('/api/v1/diagnosis');
  assertOutcomes(t, (JSON.parse(diagnosis) as { exporters: Exp[] }).exporters, s.expected);
  const outputs: Record<string, string> = {
    '/api/v1/diagnosis': diagnosis,
    '/metrics': await get('/metrics'),
    '/metrics (OpenMetrics)': await get('/metrics', { ...auth, accept: 'application/openmetrics-text; version=1.0.0' }),
    'status page': await get('/'),
  };
  // wrong and malformed credentials holding the secret: refused, and not logged
  for (const bad of [`admin:${SECRET}x`, `${SECRET}:${SECRET}`]) {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${Buffer.from(bad).toString('base64')}` } });
    t.equal(res.status, 401);
    outputs[`401 answer (${bad.length})`] = await res.text();
  }

  const check = await run(['check', '--config', s.cfg.sentinel], env);
  t.equal(check.code, 1, 'check: some exporters fail');
  t.match(check.stdout, /otlphttp\/userinfo-down/);
  outputs['check'] = check.out;
  const json = await run(['check', '--config', s.cfg.sentinel, '--json'], env);
  t.equal(json.code, 1);
  assertOutcomes(t, (JSON.parse(json.stdout) as { exporters: Exp[] }).exporters, s.expected);
  outputs['check --json'] = json.out;

  t.equal(await daemon.terminate(), 0);
  outputs['daemon stdout and stderr (debug level)'] = daemon.output();
  t.match(daemon.output(), /"level":"debug"/, 'debug records were written');
  for (const [what, text] of Object.entries(outputs)) assertNoSecret(t, what, text, s.secrets);
});

t.test('rejected configurations never quote the secret, in the daemon log nor from check', async (t) => {
  const s = await plant(t);
  const env = { [ENV_NAME]: SECRET };
  const good = `exporters:\n  otlphttp/a:\n    endpoint: http://127.0.0.1:1\n    headers:\n`;
  const pipelines = 'service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlphttp/a]\nreceivers:\n  otlp: {}\n';
  // Each holds the secret on the line the YAML or config error is about.
  const broken: Record<string, string> = {
    'unterminated quote': `${good}      x-api-key: "${SECRET}\n${pipelines}`,
    'nested mapping': `${good}      x-api-key: ${SECRET}: [\n${pipelines}`,
    'text after a quoted scalar': `${good}      x-api-key: '${SECRET}'x\n${pipelines}`,
    'invalid escape': `${good}      x-api-key: "\\q${SECRET}"\n${pipelines}`,
    'duplicate key': `${good}      x-api-key: ${SECRET}\n      x-api-key: ${SECRET}\n${pipelines}`,
    'an unquoted value starting with *': `${good}      x-api-key: *${SECRET}\n${pipelines}`,
    'bad indentation': `${good}      x-api-key: ${SECRET}\n     y: 1\n${pipelines}`,
    'a bad timeout next to the secret': `${good}      x-api-key: ${SECRET}\n    timeout: "${SECRET}"\n${pipelines}`,
    'a bad reference in a header': `${good}      x-api-key: "${SECRET}\${env:BAD-NAME}"\n${pipelines}`,
  };
  const daemon = startChild(t, ['serve', '--config', s.cfg.sentinel], env);
  await daemon.base();
  const rejections = (): number => (daemon.output().match(/configuration rejected/g) ?? []).length;
  for (const [what, text] of Object.entries(broken)) {
    const before = rejections();
    writeFileSync(s.cfg.collector, text);
    await waitFor(`the daemon to reject: ${what}`, () => (rejections() > before ? true : undefined));
    const check = await run(['check', '--config', s.cfg.sentinel], env);
    t.equal(check.code, 2, `check exits 2: ${what}`);
    assertNoSecret(t, `check: ${what}`, check.out, s.secrets);
  }
  // otel-sentinel's own file: a password where a bcrypt hash belongs
  writeFileSync(s.cfg.sentinel, `listen: "127.0.0.1:0"\nweb:\n  basic_auth_users:\n    admin: ${SECRET}\n`);
  const before = rejections();
  await waitFor('the daemon to reject a plain password', () => (rejections() > before ? true : undefined));
  const check = await run(['check', '--config', s.cfg.sentinel], env);
  t.equal(check.code, 2);
  t.match(check.out, 'web.basic_auth_users.admin');
  assertNoSecret(t, 'check: a plain password in basic_auth_users', check.out, s.secrets);
  t.equal(await daemon.terminate(), 0);
  assertNoSecret(t, 'daemon log of every rejected reload', daemon.output(), s.secrets);
});
