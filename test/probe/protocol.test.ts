import t from 'tap';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer, startRawServer } from '../helpers/servers.js';

t.test('grpc_to_http_server: a gRPC exporter reaches an HTTP/1.1 server', async (t) => {
  const s = await startHttpServer();
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'grpc_to_http_server',
    message: ['"HTTP/1.1 400 Bad Request"', `127.0.0.1:${s.port}`],
    fix: ['4317', 'otlp_http'],
  });
});

t.test('http_to_grpc_server: an HTTP exporter reaches a gRPC-only server', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'http_to_grpc_server',
    message: ['HTTP/2 frames', `127.0.0.1:${s.port}`],
    fix: ['4318', 'otlp_grpc'],
  });
});

t.test('unsupported_media_type: HTTP 415', async (t) => {
  const s = await startHttpServer({ status: 415 });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'unsupported_media_type',
    message: ['HTTP 415', 'application/x-protobuf'],
  });
  t.equal(s.requests[0]?.headers['content-type'], 'application/x-protobuf');
});

t.test('grpc_unimplemented: a gRPC server without the OTLP trace service', async (t) => {
  const s = await startGrpcServer({ implementExport: false });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'grpc_unimplemented',
    message: ['UNIMPLEMENTED', 'TraceService/Export'],
    fix: ['exporters.otlp/test.endpoint'],
  });
});

t.test('bad_request: HTTP 400 with its body', async (t) => {
  const s = await startHttpServer({ status: 400, body: 'proto: cannot parse invalid wire-format data' });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'bad_request',
    message: ['HTTP 400 Bad Request', 'cannot parse invalid wire-format data'],
  });
});

t.test('tls_required: a Go server answers plaintext on its TLS port with its 400', async (t) => {
  // Go's net/http answers exactly this when plaintext reaches a TLS listener.
  const s = await startRawServer((sock) =>
    sock.once('data', () =>
      sock.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'),
    ),
  );
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, { cause: 'tls', reason: 'tls_required', message: ['Client sent an HTTP request to an HTTPS server'] });
});

t.test('unexpected_answer: the port speaks another protocol', async (t) => {
  const s = await startRawServer((sock) => sock.write('SSH-2.0-OpenSSH_9.6\r\n'));
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  expectProblem(t, r, { cause: 'protocol', reason: 'unexpected_answer', message: ['SSH-2.0'] });
});

t.test('grpc_to_http_server: a gRPC exporter reaches an HTTP/2 server that is not gRPC', async (t) => {
  const { testCerts } = await import('../helpers/certs.js');
  const c = testCerts();
  const s = await startHttpServer({ tls: { cert: c.server.cert, key: c.server.key, h2: true } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, {
    cause: 'protocol',
    reason: 'grpc_to_http_server',
    message: ['HTTP 404', 'Received HTTP status code 404'],
  });
  t.equal(s.requests[0]?.url, '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
});
