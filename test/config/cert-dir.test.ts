import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCert, makeCa } from '../helpers/certs.js';

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
