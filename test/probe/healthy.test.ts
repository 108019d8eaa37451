import t from 'tap';
import { testCerts } from '../helpers/certs.js';
import { createJudgedProber } from '../helpers/judged.js';
import { exporterSpec, probeContext, probeOnce } from '../helpers/probe-fixtures.js';
import { startConnectProxy, startGrpcServer, startHttpServer, testLookup } from '../helpers/servers.js';

const c = testCerts();
const TOKEN = 'Bearer healthy-T0KEN-never-shown-9931';

t.test('gRPC plaintext: up, every phase timed, the kept channel reused', async (t) => {
  const s = await startGrpcServer({ requiredToken: 'healthy-T0KEN-never-shown-9931' });
  t.teardown(() => s.close());
  const prober = createJudgedProber(exporterSpec({ endpoint: `backend.test:${s.port}`, tls: { insecure: true }, headers: { authorization: TOKEN } }));
  t.teardown(() => prober.close());
  for (let round = 0; round < 3; round++) {
    const r = await prober.probe(probeContext({ lookup: testLookup() }));
    t.equal(r.up, true, `round ${round}: ${JSON.stringify(r.problems)}`);
    t.same(r.problems, []);
    t.type(r.phases.dns_seconds, 'number');
    t.type(r.phases.connect_seconds, 'number');
    t.equal(r.phases.tls_seconds, null);
    t.type(r.phases.request_seconds, 'number');
  }
  t.equal(s.calls.length, 3, 'one Export per round');
  t.equal(s.calls[0]?.bytes, 0, 'an empty ExportTraceServiceRequest');
});

t.test('gRPC over TLS: up with version, ALPN and expiry', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caFile: c.ca.certFile } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(r.tls?.alpn, 'h2');
  t.match(r.tls?.version, /^TLSv1\.[23]$/);
  t.ok(r.tls?.not_after && Date.parse(r.tls.not_after) > Date.now());
  t.type(r.phases.tls_seconds, 'number');
});

t.test('gRPC mTLS with a client certificate', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { caPem: c.ca.cert, certFile: c.client.certFile, keyFile: c.client.keyFile } }),
  );
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('HTTP plaintext with headers: up, and the token is sent but never shown', async (t) => {
  const s = await startHttpServer({ requiredToken: 'healthy-T0KEN-never-shown-9931' });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}`, headers: { Authorization: TOKEN }, compression: 'gzip' }),
  );
  t.equal(r.up, true, JSON.stringify(r.problems));
  const req = s.requests[0]!;
  t.equal(req.method, 'POST');
  t.equal(req.url, '/v1/traces');
  t.equal(req.headers['content-type'], 'application/x-protobuf');
  t.equal(req.headers['content-encoding'], 'gzip');
  t.equal(req.httpVersion, '1.1');
});

t.test('HTTPS with HTTP/2 negotiated by ALPN', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, h2: true } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `https://localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(r.tls?.alpn, 'h2');
  t.equal(s.requests[0]?.httpVersion, '2.0');
});

t.test('HTTPS mTLS with a client certificate', async (t) => {
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, clientCa: c.ca.cert } });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({
      protocol: 'http',
      endpoint: `https://127.0.0.1:${s.port}`,
      tls: { caPem: c.ca.cert, certPem: c.client.cert, keyPem: c.client.key },
    }),
  );
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('HTTPS through a CONNECT proxy from proxy_url, with proxy credentials', async (t) => {
  const proxy = await startConnectProxy({ requiredAuth: 'alice:pr0xy-s3cret' });
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(
    exporterSpec({
      protocol: 'http',
      endpoint: `https://backend.test:${s.port}`,
      tls: { caPem: c.ca.cert },
      proxyUrl: `http://alice:pr0xy-s3cret@127.0.0.1:${proxy.port}`,
    }),
    { lookup: testLookup({ 'backend.test': [] }) },
  );
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(proxy.seen, [`backend.test:${s.port}`], 'the tunnel went to the endpoint by name');
  t.equal(s.requests.length, 1);
});

t.test('plaintext HTTP through HTTP_PROXY goes in absolute form', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startHttpServer();
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://backend.test:${s.port}` }), {
    lookup: testLookup(),
    env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: 'http://unused.test:1' },
  });
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(proxy.seen, [`http://backend.test:${s.port}/v1/traces`]);
  t.equal(s.requests[0]?.headers.host, `backend.test:${s.port}`);
});

t.test('gRPC over TLS through HTTPS_PROXY (grpc-go reads HTTPS_PROXY)', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(exporterSpec({ endpoint: `backend.test:${s.port}`, tls: { caPem: c.ca.cert } }), {
    lookup: testLookup(),
    env: { HTTPS_PROXY: `http://proxy.test:${proxy.port}` },
  });
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.equal(proxy.seen.length, 2, 'the probe connection and the Export channel both tunnelled');
  t.ok(proxy.seen.every((x) => x === `backend.test:${s.port}`));
  t.equal(s.calls.length, 1);
});

t.test('NO_PROXY and loopback targets go direct', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startGrpcServer();
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const viaNoProxy = await probeOnce(exporterSpec({ endpoint: `backend.test:${s.port}`, tls: { insecure: true } }), {
    lookup: testLookup(),
    env: { HTTPS_PROXY: proxy.url, NO_PROXY: '.test' },
  });
  const loopback = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }), {
    env: { HTTPS_PROXY: proxy.url },
  });
  t.equal(viaNoProxy.up, true);
  t.equal(loopback.up, true);
  t.same(proxy.seen, [], 'the proxy saw nothing');
});

t.test('handshake mode stops after TLS and sends nothing', async (t) => {
  const s = await startGrpcServer({ tls: { cert: c.server.cert, key: c.server.key } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert } }), { mode: 'handshake' });
  t.equal(r.up, true);
  t.equal(r.phases.request_seconds, null);
  t.equal(s.calls.length, 0);
});
