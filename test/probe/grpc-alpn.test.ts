/**
 * A gRPC exporter aimed at a TLS port that speaks only HTTP/1.1 (an OTLP/HTTP receiver or a proxy
 * without HTTP/2): the server refuses ALPN "h2" with the alert no_application_protocol. The real
 * collector's gRPC client fails the same way ("tls: no application protocol"); the cause is the
 * protocol (the wrong port), not the certificates.
 */
import t from 'tap';
import { testCerts } from '../helpers/certs.js';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startHttpServer } from '../helpers/servers.js';
import { startFaultBackend } from '../helpers/collector/fault-backend.js';

const c = testCerts();

t.test('grpc_to_http_server: an HTTPS server without HTTP/2 refuses the gRPC exporter in the handshake', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'grpc_to_http_server',
    message: ['OTLP/gRPC (HTTP/2)', 'no_application_protocol', 'h2'],
    fix: ['4317', 'otlp_http'],
  });
  t.equal(s.requests.length, 0, 'no request got through');
});

t.test('an OTLP/HTTP exporter to the same server is healthy (it offers HTTP/1.1 too)', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `https://127.0.0.1:${s.port}`, tls: { caPem: c.ca.cert } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('tls_handshake_failed: a TLS server that speaks HTTP/2 but negotiates no ALPN (the collector refuses it)', async (t) => {
  const s = await startFaultBackend({ protocol: 'grpc', tls: { cert: c.server.cert, key: c.server.key }, alpn: false });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: s.endpoint, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, {
    cause: 'tls',
    reason: 'tls_handshake_failed',
    message: ['NO_ALPN', 'no ALPN protocol', 'missing selected ALPN property'],
  });
  t.equal(s.exports(), 0, 'no export was sent: the collector would not send one either');
});

t.test('the same server with ALPN h2 is healthy', async (t) => {
  const s = await startFaultBackend({ protocol: 'grpc', tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: s.endpoint, tls: { caPem: c.ca.cert } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(r.tls?.alpn, 'h2');
});

t.test('a collector run with GRPC_ENFORCE_ALPN_ENABLED=false takes a server without ALPN: no alarm', async (t) => {
  const s = await startFaultBackend({ protocol: 'grpc', tls: { cert: c.server.cert, key: c.server.key }, alpn: false });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: s.endpoint, tls: { caPem: c.ca.cert } }), { env: { GRPC_ENFORCE_ALPN_ENABLED: 'False' } });
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(s.exports(), 1, 'the export went through');
});
