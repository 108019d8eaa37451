import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import t, { type Test } from 'tap';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { fixtureDiagnosis, HOSTILE_MESSAGE, webConfig } from '../helpers/diagnosis-fixture.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

interface Started {
  port: number;
  state: { diagnosis: Diagnosis | null; live: boolean; ready: boolean; reloads: number };
  close: () => Promise<void>;
}

async function start(t: Test, over: Partial<HttpServerOptions> = {}, web: Partial<SentinelConfig['web']> = {}): Promise<Started> {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: '9.9.9' });
  const state: Started['state'] = { diagnosis: fixtureDiagnosis(), live: true, ready: true, reloads: 0 };
  metrics.update(state.diagnosis as Diagnosis);
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(web),
    registry,
    diagnosis: () => state.diagnosis,
    live: () => state.live,
    ready: () => state.ready,
    reload: async () => {
      state.reloads++;
      return state.reloads % 2 === 1 ? { ok: true } : { ok: false, error: 'config.yaml: probe.interval: expected a duration' };
    },
    logger: pino({ level: 'silent' }),
    ...over,
  });
  const { port, host } = await server.start();
  t.equal(host, '127.0.0.1', 'bound where asked');
  t.ok(port > 0, 'an ephemeral port');
  t.teardown(() => server.close());
  return { port, state, close: () => server.close() };
}

function checkSecurityHeaders(t: Test, a: Answer, what: string): void {
  t.equal(a.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  t.equal(a.headers['referrer-policy'], 'no-referrer', `${what}: no referrer`);
  t.equal(a.headers['x-frame-options'], 'DENY', `${what}: no framing`);
  t.equal(a.headers['content-security-policy'], CSP, `${what}: CSP`);
}

t.test('every route answers with its status, type and the security headers', async (t) => {
  const { port } = await start(t);

  const metrics = await request(port, '/metrics');
  t.equal(metrics.status, 200);
  t.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.equal(metrics.headers['cache-control'], 'no-store');
  t.match(metrics.body, /^otel_sentinel_build_info\{version="9\.9\.9"\} 1$/m);
  t.match(metrics.body, /^otel_sentinel_exporter_up\{exporter="otlp\/tempo"\} 0$/m);
  checkSecurityHeaders(t, metrics, '/metrics');

  const om = await request(port, '/metrics', {
    headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
  });
  t.equal(om.status, 200);
  t.match(om.headers['content-type'], /^application\/openmetrics-text; version=1\.0\.0/);
  t.ok(om.body.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
  t.match(om.headers.vary, /Accept/);

  const json = await request(port, '/api/v1/diagnosis');
  t.equal(json.status, 200);
  t.match(json.headers['content-type'], /^application\/json/);
  t.equal(json.headers['cache-control'], 'no-store');
  t.same(JSON.parse(json.body), fixtureDiagnosis(), 'the diagnosis document, as is');
  checkSecurityHeaders(t, json, '/api/v1/diagnosis');

  const page = await request(port, '/');
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(page.body, /otlp\/tempo/);
  t.match(page.body, /812 \/ 1,000 spans/, 'the queue in the unit of its sizer');
  t.match(page.body, /3 \/ 1,000 requests/);
  t.notMatch(page.body, /batches/);
  checkSecurityHeaders(t, page, '/');

  for (const [path, type] of [
    ['/status.js', /^text\/javascript/],
    ['/status.css', /^text\/css/],
    ['/favicon-down.svg', /^image\/svg\+xml/],
  ] as const) {
    const a = await request(port, path);
    t.equal(a.status, 200, path);
    t.match(a.headers['content-type'], type, path);
    t.ok(a.headers.etag, `${path} has an ETag`);
    checkSecurityHeaders(t, a, path);
    const again = await request(port, path, { headers: { 'if-none-match': a.headers.etag as string } });
    t.equal(again.status, 304, `${path} revalidates`);
    t.equal(again.body, '');
  }

  const missing = await request(port, '/etc/passwd');
  t.equal(missing.status, 404);
  checkSecurityHeaders(t, missing, '404');
  t.equal((await request(port, '/../../etc/passwd')).status, 404, 'no traversal: nothing is served from disk');
  t.equal((await request(port, '/%2e%2e/status.js')).status, 404);
  t.equal((await request(port, '/metrics/')).status, 404, 'paths match exactly');
  t.equal((await request(port, '/metrics?name[]=x')).status, 200, 'a query string is ignored');
});

t.test('HEAD answers like GET without a body', async (t) => {
  const { port } = await start(t);
  for (const path of ['/metrics', '/api/v1/diagnosis', '/', '/livez', '/status.js']) {
    const get = await request(port, path);
    const head = await request(port, path, { method: 'HEAD' });
    t.equal(head.status, 200, path);
    t.equal(head.body, '', `${path}: no body`);
    t.equal(head.headers['content-type'], get.headers['content-type'], `${path}: same type`);
    if (path !== '/metrics' && path !== '/') {
      t.equal(head.headers['content-length'], get.headers['content-length'], `${path}: same length`);
    }
  }
});

t.test('other methods get 405 with Allow; unknown paths 404 whatever the method', async (t) => {
  const { port } = await start(t);
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const a = await request(port, '/metrics', { method });
    t.equal(a.status, 405, `${method} /metrics`);
    t.equal(a.headers.allow, 'GET, HEAD');
    checkSecurityHeaders(t, a, `${method} 405`);
  }
  t.equal((await request(port, '/nope', { method: 'DELETE' })).status, 404);
  const getReload = await request(port, '/-/reload');
  t.equal(getReload.status, 405, 'GET /-/reload');
  t.equal(getReload.headers.allow, 'POST, PUT');
});

t.test('/livez and /readyz follow live() and ready(); the diagnosis waits for the first round', async (t) => {
  const { port, state } = await start(t);
  t.equal((await request(port, '/livez')).status, 200);
  t.equal((await request(port, '/livez')).body, 'ok\n');
  t.equal((await request(port, '/readyz')).status, 200);

  state.live = false;
  state.ready = false;
  state.diagnosis = null;
  const livez = await request(port, '/livez');
  t.equal(livez.status, 503);
  t.equal(livez.headers['cache-control'], 'no-store');
  t.equal((await request(port, '/readyz')).status, 503);
  const api = await request(port, '/api/v1/diagnosis');
  t.equal(api.status, 503);
  t.match(api.headers['content-type'], /^application\/json/);
  t.match(JSON.parse(api.body), { error: /first probe round/ });
  const page = await request(port, '/');
  t.equal(page.status, 200, 'the page explains the wait');
  t.match(page.body, /Waiting for the first probe round/);

  state.live = true;
  state.ready = true;
  state.diagnosis = fixtureDiagnosis({ healthy: true, exporters: [] });
  t.equal((await request(port, '/livez')).status, 200);
  t.equal((await request(port, '/readyz')).status, 200);
  t.same(JSON.parse((await request(port, '/api/v1/diagnosis')).body).exporters, [], 'a new diagnosis is served at once');
});

t.test('POST /-/reload: 403 unless the lifecycle API is enabled; then reloads and reports', async (t) => {
  const off = await start(t);
  const denied = await request(off.port, '/-/reload', { method: 'POST' });
  t.equal(denied.status, 403);
  t.equal(denied.body, 'Lifecycle API is not enabled.\n');
  t.equal(off.state.reloads, 0, 'no reload happened');

  const on = await start(t, {}, { enableLifecycle: true });
  const ok = await request(on.port, '/-/reload', { method: 'POST' });
  t.equal(ok.status, 200);
  t.equal(on.state.reloads, 1);
  const failed = await request(on.port, '/-/reload', { method: 'PUT', body: 'ignored', headers: { 'content-type': 'text/plain' } });
  t.equal(failed.status, 500);
  t.match(failed.body, /probe\.interval: expected a duration/);
  t.equal(failed.headers.connection, 'close', 'a request with a body is answered, then its connection closed');
  t.equal(on.state.reloads, 2);
});

t.test('a message with markup is escaped on the page, never executed or injected', async (t) => {
  const { port } = await start(t);
  const page = (await request(port, '/')).body;
  t.notMatch(page, '<script>alert', 'no raw script tag from the message');
  t.notMatch(page, '<img src=x', 'no raw img tag from the message');
  t.match(page, '&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;', 'escaped in the HTML');
  const data = /<script type="application\/json" id="diagnosis-data">([^<]*)<\/script>/.exec(page);
  t.ok(data, 'the embedded diagnosis is one data block that contains no "<"');
  t.equal(JSON.parse(data?.[1] ?? 'null').exporters[1].problems[0].message, HOSTILE_MESSAGE, 'and reads back intact');
  t.notMatch(page, / style=/, 'no inline style attribute (CSP)');
  t.equal([...page.matchAll(/<script\b[^>]*>/g)].filter((m) => !/src="status\.js"|type="application\/json"/.test(m[0])).length, 0, 'no inline script');
});

t.test('web.max_connections: a new connection is served; the least recently active idle one is closed to make room', async (t) => {
  const { port } = await start(t, {}, { maxConnections: 2 });
  const held: net.Socket[] = [];
  t.teardown(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await once(s, 'connect');
    s.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(s, 'data');
    held.push(s);
  }
  const [oldest, newer] = held as [net.Socket, net.Socket];
  const oldestClosed = once(oldest, 'close');
  const extra = await request(port, '/livez');
  t.equal(extra.status, 200, 'the third connection is answered');
  await oldestClosed;
  t.pass('the oldest idle keep-alive connection was closed for it');
  t.notOk(newer.destroyed, 'the newer idle connection is still open');
});

t.test('web.max_connections: a connection being answered is never closed; a newcomer is, when all are busy', async (t) => {
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const inside = new Promise<void>((r) => (entered = r));
  const reload = async (): Promise<{ ok: boolean }> => {
    entered();
    await gate;
    return { ok: true };
  };
  const { port } = await start(t, { reload }, { maxConnections: 1, enableLifecycle: true });
  const busy = request(port, '/-/reload', { method: 'POST' });
  await inside;
  const refused = await request(port, '/livez').then(
    (a) => `answered ${a.status}`,
    (err: NodeJS.ErrnoException) => err.code,
  );
  t.match(refused, /^(ECONNRESET|EPIPE)$/, 'the newcomer is closed: the one slot is busy');
  release();
  t.equal((await busy).status, 200, 'the busy request got its answer');
  t.equal((await request(port, '/livez')).status, 200, 'served again once the slot is free');
});

t.test('a client that never finishes its headers is cut by headersTimeout without pinning the server', async (t) => {
  const { port } = await start(t, { timeouts: { headersMs: 300, requestMs: 600 } }, { maxConnections: 4 });
  const slow = net.connect(port, '127.0.0.1');
  slow.on('error', () => {});
  await once(slow, 'connect');
  slow.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  let got = '';
  slow.on('data', (c: Buffer) => (got += c.toString()));
  const closed = once(slow, 'close');

  const meanwhile = await request(port, '/livez');
  t.equal(meanwhile.status, 200, 'others are served while the slow client dawdles');
  await closed;
  t.match(got, /^$|^HTTP\/1\.1 408/, 'closed (with 408 at most), never answered with data');
  t.equal((await request(port, '/livez')).status, 200, 'still serving afterwards');
});

t.test('close() resolves promptly with an idle keep-alive client connected', async (t) => {
  const registry = new Registry();
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(),
    registry,
    diagnosis: () => null,
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
    timeouts: { keepAliveMs: 60_000 },
  });
  const { port } = await server.start();
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  await new Promise<void>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/livez', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
  const sockets = Object.values(agent.freeSockets).flat();
  t.equal(sockets.length, 1, 'one idle keep-alive connection is open');
  const idle = sockets[0] as net.Socket;
  // The agent unrefs idle sockets; keep this one counted so the test waits for its close.
  idle.ref();
  const socketClosed = once(idle, 'close');
  await server.close();
  await socketClosed;
  t.pass('close() resolved and the idle connection was ended');
  const refused = await request(port, '/livez').then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code,
  );
  t.equal(refused, 'ECONNREFUSED', 'no longer accepting');
  await server.close();
  t.pass('a second close() is harmless');
});

t.test('close() also ends a connection that is still sending its headers', async (t) => {
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(),
    registry: new Registry(),
    diagnosis: () => null,
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await server.start();
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  s.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const closed = once(s, 'close');
  await server.close();
  await closed;
  t.pass('closed');
});

t.test('listening on a port in use fails with the address and the key to change', async (t) => {
  const first = await start(t);
  const second = createHttpServer({
    listen: { host: '127.0.0.1', port: first.port },
    web: webConfig(),
    registry: new Registry(),
    diagnosis: () => null,
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  await t.rejects(second.start(), { message: new RegExp(`127\\.0\\.0\\.1:${first.port} \\(EADDRINUSE\\).*listen`) });
  await second.close();
});
