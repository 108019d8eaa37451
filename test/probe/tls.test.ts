import t from 'tap';
import { testCerts } from '../helpers/certs.js';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer, testLookup } from '../helpers/servers.js';

const c = testCerts();
const tlsServer = (pair: { cert: string; key: string }) => startGrpcServer({ tls: { cert: pair.cert, key: pair.key } });
const grpcTls = (endpoint: string, tls: Record<string, unknown> = {}) => exporterSpec({ endpoint, tls: { caPem: c.ca.cert, ...tls } });

t.test('tls_unknown_authority: the server certificate is signed by another CA', async (t) => {
  const s = await tlsServer(c.untrusted);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`localhost:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_unknown_authority',
    message: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CN=untrusted.backend.test', 'CN=otel-sentinel test other-ca'],
    fix: ['exporters.otlp/test.tls.ca_file', 'openssl s_client'],
  });
  t.equal(r.tls?.version, 'TLSv1.3', 'the handshake facts are kept');
});

t.test('tls_unknown_authority: no CA configured, a private CA serves (system roots)', async (t) => {
  const s = await tlsServer(c.server);
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}` }));
  expectProblem(t, r, { cause: 'tls', reason: 'tls_unknown_authority', message: ['CN=backend.test'] });
});

t.test('tls_cert_expired: the server certificate has expired', async (t) => {
  const s = await tlsServer(c.expired);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`127.0.0.1:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_cert_expired',
    message: ['CERT_HAS_EXPIRED', 'CN=expired.backend.test', /not after \d{4}-\d\d-\d\dT/],
    fix: ['Renew the server certificate'],
  });
});

t.test('tls_cert_not_yet_valid: the server certificate starts in the future', async (t) => {
  const s = await tlsServer(c.notYetValid);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`127.0.0.1:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_cert_not_yet_valid',
    message: ['CERT_NOT_YET_VALID', 'CN=future.backend.test'],
    fix: ['NTP'],
  });
});

t.test('tls_hostname_mismatch: the certificate covers another name', async (t) => {
  const s = await tlsServer(c.wrongHost);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`localhost:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_hostname_mismatch',
    message: ['"localhost"', 'DNS:other.example', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    fix: ['exporters.otlp/test.tls.server_name_override'],
  });
});

t.test('server_name_override makes the same server pass', async (t) => {
  const s = await tlsServer(c.wrongHost);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`localhost:${s.port}`, { serverNameOverride: 'other.example' }));
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('tls_client_cert_required: TLS 1.3 server refuses after the handshake', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert } });
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`127.0.0.1:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_client_cert_required',
    message: ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', `127.0.0.1:${s.port}`],
    fix: ['exporters.otlp/test.tls.cert_file', 'tls.key_file'],
  });
});

t.test('tls_client_cert_required: TLS 1.2 server refuses during the handshake (HTTP)', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert, maxVersion: 'TLSv1.2' } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `https://localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_client_cert_required',
    message: ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'],
    fix: ['exporters.otlphttp/test.tls.cert_file'],
  });
});

t.test('tls_bad_client_cert: the client certificate is from a CA the server does not trust', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    grpcTls(`127.0.0.1:${s.port}`, { certPem: c.untrustedClient.cert, keyPem: c.untrustedClient.key }),
  );
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_bad_client_cert',
    message: ['CN=untrusted test client', 'closed the connection right after the handshake'],
    fix: ['exporters.otlp/test.tls.cert_file'],
  });
});

t.test('tls_bad_client_cert: TLS 1.2 HTTP server refuses the certificate during the handshake', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert, maxVersion: 'TLSv1.2' } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({
      protocol: 'http',
      endpoint: `https://127.0.0.1:${s.port}`,
      tls: { caPem: c.ca.cert, certFile: c.untrustedClient.certFile, keyFile: c.untrustedClient.keyFile },
    }),
  );
  expectProblem(t, r, { cause: 'tls', reason: 'tls_bad_client_cert', message: ['CN=untrusted test client', 'dropped the handshake'] });
});

t.test('tls_server_plaintext: TLS configured, a plaintext gRPC server answers', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`127.0.0.1:${s.port}`));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_server_plaintext',
    message: [/ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)/, `127.0.0.1:${s.port}`],
    fix: ['exporters.otlp/test.tls.insecure: true'],
  });
});

t.test('tls_server_plaintext: https:// endpoint, a plaintext HTTP server answers', async (t) => {
  const s = await startHttpServer();
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `https://127.0.0.1:${s.port}` }));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_server_plaintext',
    message: ['ERR_SSL_'],
    fix: ['http:// URL in exporters.otlphttp/test.endpoint'],
  });
});

t.test('tls_required: plaintext gRPC, a TLS server answers', async (t) => {
  const s = await tlsServer(c.server);
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_required',
    message: [`127.0.0.1:${s.port}`, 'answered with TLS'],
    fix: ['remove exporters.otlp/test.tls.insecure', 'tls.ca_file'],
  });
});

t.test('tls_required: http:// endpoint, an HTTPS server closes the plaintext connection', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_required',
    message: ['accepts a TLS handshake'],
    fix: ['https:// URL in exporters.otlphttp/test.endpoint'],
  });
});

t.test('tls_cert_expiring: a warning, and the exporter stays up', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.expiringSoon.cert, key: c.expiringSoon.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: `https://backend.test:${s.port}`, tls: { caPem: c.ca.cert } }),
    { lookup: testLookup(), certExpiryMs: 14 * 86_400_000 },
  );
  t.equal(r.up, true);
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_cert_expiring',
    severity: 'warning',
    message: ['CN=expiring.backend.test', /in [23] days/],
    fix: ['Renew'],
  });
  t.ok(r.tls?.not_after && Date.parse(r.tls.not_after) > Date.now(), 'not_after recorded');
});

t.test('tls_handshake_failed: the exporter wants TLS 1.3, the server offers at most 1.2', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, maxVersion: 'TLSv1.2' } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: `https://127.0.0.1:${s.port}`, tls: { caPem: c.ca.cert, minVersion: '1.3' } }),
  );
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_handshake_failed',
    message: [/ERR_SSL_\w+/],
    fix: ['exporters.otlphttp/test.tls.min_version'],
  });
});

t.test('tls_config_invalid: an unreadable ca_file stops the probe before it starts', async (t) => {
  const r = await probeOnce(exporterSpec({ endpoint: 'localhost:4317', tls: { caFile: '/nonexistent/ca.pem' } }));
  expectProblem(t, r, { cause: 'tls', reason: 'tls_config_invalid', message: ['/nonexistent/ca.pem', 'ENOENT'] });
  t.equal(r.phases.connect_seconds, null, 'nothing was dialled');
});

t.test('insecure_skip_verify accepts an untrusted certificate', async (t) => {
  const s = await tlsServer(c.untrusted);
  t.teardown(() => s.close());
  const r = await probeOnce(grpcTls(`localhost:${s.port}`, { insecureSkipVerify: true }));
  t.equal(r.up, true, JSON.stringify(r.problems));
});
