import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCert, issueCertAsync, makeCa, makeCaAsync } from '../helpers/certs.js';

t.test('issueCert signs client certificates with the requested dates', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir, 'ca');
  const c = issueCert(dir, 'ca', {
    name: 'expired-client', cn: 'expired-client', client: true,
    start: new Date('2020-01-01T00:00:00Z'), end: new Date('2020-02-01T00:00:00Z'),
  });
  const x = new X509Certificate(c.cert);
  t.equal(new Date(x.validTo).toISOString(), '2020-02-01T00:00:00.000Z');
  t.equal(new Date(x.validFrom).toISOString(), '2020-01-01T00:00:00.000Z');
  t.match(x.subject, /CN=expired-client/);
  t.ok(x.checkIssued(new X509Certificate(ca.cert)));
  t.end();
});

t.test('the asynchronous factory makes the same kind of chain', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await makeCaAsync(dir, 'ca');
  const day = 86_400_000;
  const server = await issueCertAsync(dir, 'ca', { name: 'server', cn: '127.0.0.1', san: 'IP:127.0.0.1', start: new Date(Date.now() - day), end: new Date(Date.now() + day) });
  const x = new X509Certificate(server.cert);
  t.ok(x.checkIssued(new X509Certificate(ca.cert)));
  t.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
  t.match(server.key, /BEGIN (EC )?PRIVATE KEY/);
});
