import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { coversName } from '../../src/probe/tls-layer.js';
import { issueServerCert, testCerts } from '../helpers/certs.js';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer } from '../helpers/servers.js';

const c = testCerts();
const leaf = (name: string, cn: string, san?: string): X509Certificate => new X509Certificate(issueServerCert(name, cn, san).cert);

t.test('names are checked as the collector (Go) checks them', async (t) => {
  const legacy = leaf('cn-only', 'legacy.backend.test');
  t.equal(coversName(legacy, 'legacy.backend.test'), false, 'no Common Name fallback: Go ignores the CN');

  const wild = leaf('wildcard', 'wild', 'DNS:*.wild.test');
  t.equal(coversName(wild, 'a.wild.test'), true, 'a wildcard covers one leftmost label');
  t.equal(coversName(wild, 'A.WILD.test'), true, 'names compare without case');
  t.equal(coversName(wild, 'a.b.wild.test'), false, 'but not two');
  t.equal(coversName(wild, 'wild.test'), false, 'nor none');

  const partial = leaf('partial-wildcard', 'partial', 'DNS:f*.part.test');
  t.equal(coversName(partial, 'foo.part.test'), false, 'a partial wildcard label matches nothing in Go');

  const server = new X509Certificate(c.server.cert);
  t.equal(coversName(server, 'localhost'), true);
  t.equal(coversName(server, 'localhost.'), true, 'a trailing dot is ignored');
  t.equal(coversName(server, '127.0.0.1'), true, 'an IP is matched against the IP SANs');
  t.equal(coversName(server, '[::1]'), true, 'bracketed IPv6 too');
  t.equal(coversName(server, '127.0.0.2'), false);
  t.equal(coversName(server, 'other.test'), false);
});

t.test('a certificate that names its host only in the CN fails as tls_hostname_mismatch', async (t) => {
  const pair = issueServerCert('cn-localhost', 'localhost');
  const s = await startGrpcServer({ tls: { cert: pair.cert, key: pair.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, { cause: 'tls', reason: 'tls_hostname_mismatch', message: ['"localhost"', 'ERR_TLS_CERT_ALTNAME_INVALID'] });
});

t.test('insecure_skip_verify skips the name check too', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.wrongHost.cert, key: c.wrongHost.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert, insecureSkipVerify: true } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('the socket keeps its own getPeerCertificate after the handshake', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.match(r.tls, { version: 'TLSv1.3', alpn: 'h2' });
});
