import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { makeCertDir } from './certs.js';

t.test('makeCertDir signs client certificates with the requested dates', (t) => {
  const certs = makeCertDir();
  t.teardown(() => certs.cleanup());
  const c = certs.client('expired-client', '20200101000000Z', '20200201000000Z');
  const x = new X509Certificate(readFileSync(c.cert));
  t.equal(new Date(x.validTo).toISOString(), '2020-02-01T00:00:00.000Z');
  t.match(x.subject, /CN=expired-client/);
  t.ok(x.checkIssued(new X509Certificate(readFileSync(certs.caCert))));
  t.end();
});
