import t, { type Test } from 'tap';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import type { ExporterSpec, OAuth2ClientAuth } from '../../src/config/exporter-spec.js';
import { createJudgedProber } from '../helpers/judged.js';
import { OAuth2TokenSource } from '../../src/probe/oauth2-token.js';
import { expectProblem, probeContext, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer } from '../helpers/servers.js';
import { testCerts } from '../helpers/certs.js';
import { runCli } from '../helpers/run-cli.js';

const CLIENT_SECRET = 'cl1ent-S3CRET-value-99';
const ACCESS_TOKEN = 'access-TOKEN-from-server-4711';

interface TokenRequest {
  readonly authorization?: string;
  readonly form: URLSearchParams;
}

interface TokenServer {
  readonly url: string;
  readonly requests: TokenRequest[];
}

interface TokenServerOptions {
  /** where the client credentials must be: HTTP Basic (default) or the form */
  readonly accept?: 'header' | 'params';
  readonly expiresIn?: number;
  readonly tls?: { cert: string; key: string };
  readonly formAnswer?: boolean;
}

/** A loopback authorization server: the client credentials grant, answering as RFC 6749 says. */
async function tokenServer(t: Test, o: TokenServerOptions = {}): Promise<TokenServer> {
  const requests: TokenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push({ authorization: req.headers.authorization, form });
      const basic = `Basic ${Buffer.from(`my-client:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
      const ok =
        form.get('grant_type') === 'client_credentials' &&
        (o.accept === 'params'
          ? form.get('client_id') === 'my-client' && form.get('client_secret') === CLIENT_SECRET && !req.headers.authorization
          : req.headers.authorization === basic);
      if (!ok) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }));
        return;
      }
      if (o.formAnswer) {
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end(`access_token=${ACCESS_TOKEN}&token_type=bearer`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: o.expiresIn ?? 3600 }));
    });
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const port = (server.address() as AddressInfo).port;
  return { url: `${o.tls ? 'https://localhost' : 'http://127.0.0.1'}:${port}/oauth2/token`, requests };
}

const dir = mkdtempSync(join(tmpdir(), 'sentinel-oauth2-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Reads a collector config of the usual oauth2client shape, as `check` and `serve` read it. */
function specOf(exporter: Record<string, unknown>, extension: Record<string, unknown>, type = 'oauth2client'): ExporterSpec {
  const f = join(dir, `collector-${++n}.yaml`);
  const name = 'type' in exporter ? String(exporter.type) : 'otlphttp/vendor';
  const { type: _t, ...block } = exporter;
  writeFileSync(
    f,
    JSON.stringify({
      receivers: { otlp: { protocols: { grpc: {} } } },
      extensions: { [`${type}/vendor`]: extension },
      exporters: { [name]: { ...block, auth: { authenticator: `${type}/vendor` } } },
      service: { extensions: [`${type}/vendor`], pipelines: { traces: { receivers: ['otlp'], exporters: [name] } } },
    }),
  );
  const model = readCollectorConfig({ files: [f], env: {}, sentinel: loadSentinelConfig(null, {}) });
  return model.exporters[0]!;
}

const oauth = (tokenUrl: string, extra: Record<string, unknown> = {}) => ({
  client_id: 'my-client',
  client_secret: CLIENT_SECRET,
  token_url: tokenUrl,
  scopes: ['api.write', 'api.read'],
  endpoint_params: { audience: 'otlp-backend' },
  ...extra,
});

t.test('oauth2client over HTTP: the token is fetched as the collector fetches it, sent, and kept', async (t) => {
  const tokens = await tokenServer(t);
  const backend = await startHttpServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => backend.close());
  const spec = specOf({ endpoint: `http://127.0.0.1:${backend.port}` }, oauth(tokens.url));
  t.equal(spec.dynamicAuth?.kind, 'oauth2client');
  t.same(spec.configProblems, [], 'no config problem: the credentials are complete');
  const prober = createJudgedProber(spec);
  t.teardown(() => prober.close());
  const first = await prober.probe(probeContext());
  t.same([first.up, first.problems], [true, []]);
  const second = await prober.probe(probeContext());
  t.equal(second.up, true);
  t.equal(tokens.requests.length, 1, 'the token is kept until it expires');
  const form = tokens.requests[0]!.form;
  t.equal(form.get('grant_type'), 'client_credentials');
  t.equal(form.get('scope'), 'api.write api.read', 'scopes joined by spaces');
  t.equal(form.get('audience'), 'otlp-backend', 'endpoint_params sent');
  t.equal(form.get('client_secret'), null, 'HTTP Basic first: the secret is not in the form');
  t.equal(backend.requests.length, 2);
  t.equal(backend.requests[0]?.headers.authorization, `Bearer ${ACCESS_TOKEN}`, '"bearer" is sent as Bearer');
});

t.test('oauth2client: a server that wants the credentials in the form gets them there (auto-detection)', async (t) => {
  const tokens = await tokenServer(t, { accept: 'params', formAnswer: true });
  const backend = await startHttpServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => backend.close());
  const prober = createJudgedProber(specOf({ endpoint: `http://127.0.0.1:${backend.port}` }, oauth(tokens.url)));
  t.teardown(() => prober.close());
  t.equal((await prober.probe(probeContext())).up, true);
  t.same(tokens.requests.map((r) => (r.authorization ? 'header' : 'params')), ['header', 'params']);
  t.equal((await prober.probe(probeContext())).up, true, 'no expiry given: kept');
  t.equal(tokens.requests.length, 2);
});

t.test('oauth2client over gRPC, the token server over TLS trusted by the extension\'s tls.ca_file, refreshed at expiry', async (t) => {
  const certs = testCerts();
  const tokens = await tokenServer(t, { tls: { cert: certs.server.cert, key: certs.server.key }, expiresIn: 5 });
  const g = await startGrpcServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => g.close());
  const spec = specOf(
    { type: 'otlp/vendor', endpoint: `127.0.0.1:${g.port}`, tls: { insecure: true } },
    oauth(tokens.url, { tls: { ca_file: certs.ca.certFile }, timeout: '3s' }),
  );
  const prober = createJudgedProber(spec);
  t.teardown(() => prober.close());
  const r1 = await prober.probe(probeContext());
  t.same([r1.up, r1.problems], [true, []]);
  const r2 = await prober.probe(probeContext());
  t.equal(r2.up, true);
  t.equal(tokens.requests.length, 2, 'expires in 5 s, inside the 10 s buffer: fetched again');
  t.equal(g.calls.length, 2);

  const untrusting = specOf({ type: 'otlp/vendor', endpoint: `127.0.0.1:${g.port}`, tls: { insecure: true } }, oauth(tokens.url));
  const r3 = await probeOnce(untrusting);
  expectProblem(t, r3, { cause: 'auth', reason: 'oauth2_token_failed', message: [tokens.url, /the token request failed \(\w+/] });
});

t.test('oauth2_token_failed: wrong client secret; the secret and the server\'s token never show', async (t) => {
  const tokens = await tokenServer(t);
  const backend = await startHttpServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => backend.close());
  const r = await probeOnce(specOf({ endpoint: `http://127.0.0.1:${backend.port}` }, oauth(tokens.url, { client_secret: 'wrong-SECRET-1234' })));
  const p = expectProblem(t, r, {
    cause: 'auth',
    reason: 'oauth2_token_failed',
    message: [tokens.url, 'extension oauth2client/vendor', 'HTTP 401: invalid_client (client authentication failed)'],
    fix: ['extensions.oauth2client/vendor', 'client_secret'],
  });
  t.notMatch(JSON.stringify(p), 'wrong-SECRET-1234');
  t.equal(tokens.requests.length, 2, 'both ways of sending the credentials were tried');
  t.equal(backend.requests.length, 0, 'no export without a token, as the collector');

  const down = await probeOnce(specOf({ endpoint: `http://127.0.0.1:${backend.port}` }, oauth('http://127.0.0.1:1/token')));
  expectProblem(t, down, { cause: 'auth', reason: 'oauth2_token_failed', message: ['ECONNREFUSED'] });
});

t.test('a rejected token is the backend\'s word: unauthorized, naming the token sent', async (t) => {
  const tokens = await tokenServer(t);
  const backend = await startHttpServer({ requiredToken: 'another-token-0000' });
  t.teardown(() => backend.close());
  const r = await probeOnce(specOf({ endpoint: `http://127.0.0.1:${backend.port}` }, oauth(tokens.url)));
  const p = expectProblem(t, r, { cause: 'auth', reason: 'unauthorized', message: ['authorization (token from oauth2client/vendor)'] });
  t.notMatch(JSON.stringify(p), ACCESS_TOKEN);
  t.notMatch(p?.message ?? '', 'no credentials were sent');
});

t.test('authenticators the probe cannot reproduce: a refusal is unverifiable (warning), an acceptance is up', async (t) => {
  const refusing = await startHttpServer({ requiredToken: 'x-never' });
  const open = await startHttpServer();
  t.teardown(() => Promise.all([refusing.close(), open.close()]));
  const sigv4 = { region: 'eu-west-1', service: 'aps' };
  const r = await probeOnce(specOf({ endpoint: `http://127.0.0.1:${refusing.port}` }, sigv4, 'sigv4auth'));
  const p = expectProblem(t, r, {
    cause: 'auth',
    reason: 'auth_unverifiable',
    severity: 'warning',
    message: ['HTTP 401', 'extension sigv4auth/vendor (sigv4auth)', 'is not known'],
    fix: ['otelcol_exporter_send_failed_'],
  });
  t.notMatch(p?.message ?? '', 'no credentials were sent');
  t.equal(r.problems.filter((x) => x.severity === 'critical').length, 0);
  const ok = await probeOnce(specOf({ endpoint: `http://127.0.0.1:${open.port}` }, sigv4, 'sigv4auth'));
  t.same([ok.up, ok.problems], [true, []]);
  const jwt = await probeOnce(
    specOf({ endpoint: `http://127.0.0.1:${refusing.port}` }, { ...oauth('http://127.0.0.1:1/token'), grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }),
  );
  expectProblem(t, jwt, { cause: 'auth', reason: 'auth_unverifiable', severity: 'warning', message: ['grant_type urn:ietf:params:oauth:grant-type:jwt-bearer'] });
});

t.test('oauth2client config: missing settings are missing credentials; files are read', async (t) => {
  const missing = specOf({ endpoint: 'http://127.0.0.1:4318' }, { client_id: 'my-client' });
  t.same(missing.configProblems.map((p) => p.reason), ['missing_credentials', 'missing_credentials']);
  t.match(missing.configProblems.map((p) => p.message).join('\n'), /client_secret[\s\S]*token_url/);
  t.equal(missing.dynamicAuth, undefined, 'nothing to fetch with');
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, `${CLIENT_SECRET}\n`);
  const fromFile = specOf({ endpoint: 'http://127.0.0.1:4318' }, { client_id: 'my-client', client_secret_file: secretFile, token_url: 'http://127.0.0.1:1/t' });
  t.match(fromFile.dynamicAuth, { kind: 'oauth2client', clientSecret: CLIENT_SECRET });
  t.ok(fromFile.secrets.includes(CLIENT_SECRET), 'the secret from the file is a secret');
  const unreadable = specOf({ endpoint: 'http://127.0.0.1:4318' }, { client_id: 'my-client', client_secret_file: join(dir, 'nope'), token_url: 'http://x.invalid/t' });
  t.same(unreadable.configProblems.map((p) => p.reason), ['missing_credentials']);
  t.match(unreadable.configProblems[0]?.message, 'client_secret_file');
  const src = new OAuth2TokenSource({ ...(fromFile.dynamicAuth as OAuth2ClientAuth), tokenUrl: 'ftp://x.invalid/t' });
  t.match(await src.get(AbortSignal.timeout(1000)), { ok: false, code: 'TOKEN_URL' });
});

t.test('check with an oauth2client exporter: up, and no secret in the report', async (t) => {
  const tokens = await tokenServer(t);
  const backend = await startHttpServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => backend.close());
  const collector = join(dir, 'check-collector.yaml');
  writeFileSync(
    collector,
    JSON.stringify({
      receivers: { otlp: { protocols: { grpc: {} } } },
      extensions: { oauth2client: oauth(tokens.url, { client_secret: '${env:OAUTH_SECRET}' }) },
      exporters: { 'otlphttp/vendor': { endpoint: `http://127.0.0.1:${backend.port}`, auth: { authenticator: 'oauth2client' } } },
      service: { extensions: ['oauth2client'], pipelines: { traces: { receivers: ['otlp'], exporters: ['otlphttp/vendor'] } } },
    }),
  );
  const sentinel = join(dir, 'check-sentinel.yaml');
  writeFileSync(sentinel, `collector:\n  config_files: [${JSON.stringify(collector)}]\n  telemetry_url: ""\n  use_process_environment: false\n`);
  const r = await runCli(['check', '--config', sentinel, '--json', '--no-collector'], { OAUTH_SECRET: CLIENT_SECRET });
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout + r.stderr, CLIENT_SECRET);
  t.notMatch(r.stdout + r.stderr, ACCESS_TOKEN);
});

t.test('the token source: answers without a token, no answer in time, unreadable TLS files, mac tokens', async (t) => {
  const answers: Array<(res: ServerResponse) => void> = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const next = answers.shift();
      if (next) next(res);
      // else: never answer
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const base = {
    kind: 'oauth2client' as const,
    id: 'oauth2client',
    tokenUrl: url,
    clientId: 'c',
    clientSecret: 's',
    scopes: [],
    endpointParams: [['grant_type', 'client_credentials'], ['resource', 'a'], ['resource', 'b']] as Array<[string, string]>,
    tls: { insecure: false, insecureSkipVerify: false },
    timeoutMs: 0,
    expiryBufferMs: 0,
  };
  answers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"bearer"}'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: false, code: 'TOKEN_MISSING', facts: { detail: /without an access_token/ } });
  answers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('not json'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: false, code: 'TOKEN_MISSING' });
  answers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"abc","token_type":"mac","expires_in":"60"}'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: true, header: 'MAC abc' });
  answers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"abc","token_type":"basic"}'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: true, header: 'Basic abc' });
  answers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"abc","token_type":"DPoP"}'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: true, header: 'DPoP abc' });
  answers.push((res) => res.writeHead(400, { 'content-type': 'text/html' }).end('<html>no</html>'));
  answers.push((res) => res.writeHead(400, { 'content-type': 'text/html' }).end('<html>no</html>'));
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(5000)), { ok: false, code: 'TOKEN_REFUSED', facts: { detail: 'the token endpoint answered HTTP 400' } });
  t.match(
    await new OAuth2TokenSource({ ...base, timeoutMs: 200 }).get(AbortSignal.timeout(10_000)),
    { ok: false, code: 'TIMEOUT', facts: { detail: 'no answer from the token endpoint within extensions.oauth2client.timeout (200 ms)' } },
  );
  t.match(await new OAuth2TokenSource(base).get(AbortSignal.timeout(200)), { ok: false, code: 'TIMEOUT', facts: { detail: /before the probe deadline/ } });
  const tls = { ...base, tokenUrl: 'https://user:pw@localhost:1/token', tls: { ...base.tls, caFile: join(dir, 'no-such-ca.pem') } };
  t.match(await new OAuth2TokenSource(tls).get(AbortSignal.timeout(5000)), {
    ok: false,
    code: 'TOKEN_TLS',
    facts: { token_url: 'https://localhost:1/token', detail: /extensions\.oauth2client\.tls\.ca_file/ },
  });
});
