import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConfigError } from '../../src/config/config-error.js';
import { createHttpServer } from '../../src/http/server.js';
import { fixtureDiagnosis, webConfig } from '../helpers/diagnosis-fixture.js';
import { testCerts } from '../helpers/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-web-tls-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const certs = testCerts();
const cert = certs.server.certFile;
const key = certs.server.keyFile;

const serverWith = (web: Parameters<typeof webConfig>[0]) =>
  createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(web),
    registry: new Registry(),
    diagnosis: () => fixtureDiagnosis(),
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });

t.test('web.tls_cert_file and web.tls_key_file serve HTTPS', async (t) => {
  const server = serverWith({ tlsCertFile: cert, tlsKeyFile: key });
  const { port } = await server.start();
  t.teardown(() => server.close());

  const answer = await new Promise<{ status: number; body: string; protocol: string }>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/api/v1/diagnosis', ca: certs.ca.cert, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: (res.socket as import('node:tls').TLSSocket).getProtocol() ?? '' }));
      })
      .on('error', reject);
  });
  t.equal(answer.status, 200);
  t.same(JSON.parse(answer.body), fixtureDiagnosis());
  t.match(answer.protocol, /^TLSv1\.[23]$/);

  const plain = await new Promise<string>((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/livez', agent: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      })
      .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  t.notMatch(plain, /^answered 200/, 'plain HTTP gets no page from the HTTPS port');

  const untrusted = await new Promise<string>((resolve) => {
    https
      .get({ host: '127.0.0.1', port, path: '/livez', agent: false }, () => resolve('answered'))
      .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  t.not(untrusted, 'answered', 'a client that does not trust the certificate is refused by its own TLS');
});

t.test('unusable TLS files fail start() with the key and the file', async (t) => {
  const failure = async (web: Parameters<typeof webConfig>[0]): Promise<unknown> => {
    const server = serverWith(web);
    try {
      await server.start();
    } catch (err) {
      return err;
    } finally {
      await server.close();
    }
    return null;
  };

  const missing = await failure({ tlsCertFile: join(dir, 'nope.pem'), tlsKeyFile: key });
  t.type(missing, ConfigError);
  t.match((missing as Error).message, /nope\.pem: web\.tls_cert_file: cannot read it \(ENOENT\)/);

  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  const bad = await failure({ tlsCertFile: cert, tlsKeyFile: garbage });
  t.type(bad, ConfigError);
  t.match((bad as Error).message, /web\.tls_cert_file: with web\.tls_key_file .*garbage\.pem: not a usable PEM certificate and matching private key/);
  t.notMatch((bad as Error).message, 'AAAA', 'no key material in the message');
});
