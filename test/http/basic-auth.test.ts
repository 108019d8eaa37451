import http from 'node:http';
import t from 'tap';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createBasicAuth } from '../../src/http/basic-auth.js';
import { createHttpServer } from '../../src/http/server.js';
import { fixtureDiagnosis, webConfig } from '../helpers/diagnosis-fixture.js';

// Cost 4 (the minimum) keeps the test quick; the server reads the cost from the hash.
const HASH = bcrypt.hashSync('s3cret pass:word', 4);
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function get(port: number, path: string, authorization?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

t.test('basic auth guards every path except web.unauthenticated_paths', async (t) => {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig({ basicAuthUsers: { prometheus: HASH } }),
    registry: new Registry(),
    diagnosis: () => fixtureDiagnosis(),
    live: () => true,
    ready: () => true,
    logger,
  });
  const { port } = await server.start();
  t.teardown(() => server.close());

  for (const path of ['/metrics', '/api/v1/diagnosis', '/', '/status.js', '/nowhere']) {
    const a = await get(port, path);
    t.equal(a.status, 401, `${path} without credentials`);
    t.equal(a.headers['www-authenticate'], 'Basic realm="otel-sentinel", charset="UTF-8"');
    t.equal(a.headers['x-content-type-options'], 'nosniff', 'security headers on 401 too');
    t.notMatch(a.body, 'otlp/tempo', 'nothing of the diagnosis leaks');
  }
  t.equal((await get(port, '/metrics', basic('prometheus', 'wrong'))).status, 401, 'wrong password');
  t.equal((await get(port, '/metrics', basic('nobody', 's3cret pass:word'))).status, 401, 'unknown user');
  t.equal((await get(port, '/metrics', 'Bearer s3cret')).status, 401, 'another scheme');
  t.equal((await get(port, '/metrics', 'Basic !!!')).status, 401, 'garbage');

  t.equal((await get(port, '/metrics', basic('prometheus', 's3cret pass:word'))).status, 200, 'a password with a colon');
  t.equal((await get(port, '/metrics', basic('prometheus', 's3cret pass:word'))).status, 200, 'again (from the cache)');
  t.equal((await get(port, '/nowhere', basic('prometheus', 's3cret pass:word'))).status, 404, 'authenticated, then routed');

  t.equal((await get(port, '/livez')).status, 200, '/livez is open for the kubelet');
  t.equal((await get(port, '/readyz')).status, 200, '/readyz is open for the kubelet');

  const all = logs.join('');
  t.notMatch(all, 's3cret', 'no password in any log line');
  t.notMatch(all, Buffer.from('prometheus:wrong').toString('base64'), 'no Authorization header value in any log line');
});

t.test('a verified pair is remembered only for the cache time', async (t) => {
  let now = 1_000_000;
  const auth = createBasicAuth({ u: HASH }, { cacheTtlMs: 1_000, now: () => now });
  t.ok(auth.enabled);
  t.equal(await auth.verify(basic('u', 's3cret pass:word')), 'u');
  now += 500;
  t.equal(await auth.verify(basic('u', 's3cret pass:word')), 'u');
  t.equal(await auth.verify(basic('u', 'other')), null, 'a cached pair does not let another password in');
  now += 5_000;
  t.equal(await auth.verify(basic('u', 's3cret pass:word')), 'u', 'verified again with bcrypt after expiry');
  t.equal(await auth.verify(undefined), null);
  t.notOk(createBasicAuth({}).enabled, 'no users: no authentication');
});
