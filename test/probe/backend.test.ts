import t from 'tap';
import { status } from '@grpc/grpc-js';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer, startSilentServer } from '../helpers/servers.js';

const grpc = (port: number, timeoutMs?: number) => exporterSpec({ endpoint: `127.0.0.1:${port}`, tls: { insecure: true }, timeoutMs });
const http = (port: number, timeoutMs?: number) => exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${port}`, timeoutMs });

t.test('unavailable: HTTP 503 with Retry-After', async (t) => {
  const s = await startHttpServer({ status: 503, retryAfter: '30' });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port));
  expectProblem(t, r, {
    cause: 'backend',
    reason: 'unavailable',
    message: ['HTTP 503 Service Unavailable', 'Retry-After: 30'],
    fix: ['sending_queue'],
  });
});

t.test('unavailable: gRPC UNAVAILABLE from a real gRPC server', async (t) => {
  const s = await startGrpcServer({ status: status.UNAVAILABLE, details: 'ingesters are down' });
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port));
  expectProblem(t, r, { cause: 'backend', reason: 'unavailable', message: ['UNAVAILABLE', 'ingesters are down'] });
});

t.test('throttled: HTTP 429', async (t) => {
  const s = await startHttpServer({ status: 429, retryAfter: '5' });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port));
  expectProblem(t, r, { cause: 'backend', reason: 'throttled', message: ['HTTP 429 Too Many Requests', 'Retry-After: 5'] });
});

t.test('throttled: gRPC RESOURCE_EXHAUSTED', async (t) => {
  const s = await startGrpcServer({ status: status.RESOURCE_EXHAUSTED, details: 'rate limit exceeded' });
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port));
  expectProblem(t, r, { cause: 'backend', reason: 'throttled', message: ['RESOURCE_EXHAUSTED', 'rate limit exceeded'] });
});

t.test('server_error: HTTP 500', async (t) => {
  const s = await startHttpServer({ status: 500 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port));
  expectProblem(t, r, { cause: 'backend', reason: 'server_error', message: ['HTTP 500 Internal Server Error'] });
});

t.test('server_error: gRPC INTERNAL', async (t) => {
  const s = await startGrpcServer({ status: status.INTERNAL, details: 'storage write failed' });
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port));
  expectProblem(t, r, { cause: 'backend', reason: 'server_error', message: ['INTERNAL', 'storage write failed'] });
});

t.test('response_timeout: connected, the server never answers the HTTP/2 greeting', async (t) => {
  const s = await startSilentServer();
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port), { timeoutMs: 1000 });
  expectProblem(t, r, {
    cause: 'backend',
    reason: 'response_timeout',
    message: [`127.0.0.1:${s.port}`, 'the HTTP/2 greeting'],
    fix: ['exporters.otlp/test.timeout'],
  });
});

t.test('response_timeout: the TLS handshake is never answered', async (t) => {
  const s = await startSilentServer();
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}` }), { timeoutMs: 1000 });
  expectProblem(t, r, { cause: 'backend', reason: 'response_timeout', message: [`127.0.0.1:${s.port}`] });
  t.type(r.phases.connect_seconds, 'number');
});

t.test('response_timeout: the gRPC server answers after the exporter timeout (DEADLINE_EXCEEDED)', async (t) => {
  const s = await startGrpcServer({ delayMs: 3000 });
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port, 300), { timeoutMs: 10_000 });
  expectProblem(t, r, { cause: 'backend', reason: 'response_timeout', message: ['the Export call', 'within 300 ms'] });
});

t.test('probe_timeout: the HTTP server answers after probe.timeout but within the exporter timeout (30s)', async (t) => {
  const s = await startHttpServer({ delayMs: 5000 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port), { timeoutMs: 800 });
  const p = expectProblem(t, r, {
    cause: 'backend',
    reason: 'probe_timeout',
    severity: 'warning',
    message: ['the probe gave up waiting for the POST', 'probe.timeout is 800 ms', 'the exporter waits up to 30000 ms'],
    fix: ["Raise otel-sentinel's probe.timeout", 'exporters.otlphttp/test.timeout (30000 ms)'],
  });
  t.notMatch(p?.fix ?? '', /^raise exporters/i, 'the exporter is not told to wait longer than it already does');
  t.equal(r.problems.length, 1);
});

t.test('probe_timeout: a gRPC Export answered after probe.timeout, the exporter allowing no limit (timeout: 0)', async (t) => {
  const s = await startGrpcServer({ delayMs: 3000 });
  t.teardown(() => s.close());
  const r = await probeOnce(grpc(s.port, 0), { timeoutMs: 800 });
  expectProblem(t, r, { cause: 'backend', reason: 'probe_timeout', severity: 'warning', message: ['the Export call', 'up to no limit'] });
});

t.test('response_timeout: the probe deadline is as long as the exporter timeout, so the exporter fails too', async (t) => {
  const s = await startHttpServer({ delayMs: 5000 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port, 800), { timeoutMs: 800 });
  expectProblem(t, r, { cause: 'backend', reason: 'response_timeout', message: ['the POST'], fix: ['exporters.otlphttp/test.timeout'] });
});

t.test('response_timeout: the HTTP server answers after the exporter timeout', async (t) => {
  const s = await startHttpServer({ delayMs: 3000 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port, 300), { timeoutMs: 10_000 });
  // "within 300 ms" is only said when the exporter's own timeout, not the probe's, ended it
  expectProblem(t, r, { cause: 'backend', reason: 'response_timeout', message: ['the POST', 'within 300 ms'] });
});

t.test('slow_response: a warning, and the exporter stays up', async (t) => {
  const s = await startHttpServer({ delayMs: 400 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port), { slowResponseMs: 100 });
  t.equal(r.up, true);
  expectProblem(t, r, {
    cause: 'backend',
    reason: 'slow_response',
    severity: 'warning',
    message: [/took \d+ ms/, 'thresholds.slow_response is 100 ms'],
  });
});

t.test('slow_response 0 is off: a slow successful export is up with no warning', async (t) => {
  const s = await startHttpServer({ delayMs: 200 });
  t.teardown(() => s.close());
  const r = await probeOnce(http(s.port), { slowResponseMs: 0 });
  t.equal(r.up, true);
  t.ok(r.totalSeconds > 0.1, 'the export waited for the backend (above the 0 ms threshold)');
  t.same(r.problems, [], 'no slow_response warning');
});

t.test('unavailable: a load balancer answers HTTP 503 to the gRPC call', async (t) => {
  const { testCerts } = await import('../helpers/certs.js');
  const { EXPORT_PATH } = await import('../helpers/servers.js');
  const c = testCerts();
  const s = await startHttpServer({ status: 503, path: EXPORT_PATH, tls: { cert: c.server.cert, key: c.server.key, h2: true } });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `localhost:${s.port}`, tls: { caPem: c.ca.cert } }));
  expectProblem(t, r, { cause: 'backend', reason: 'unavailable', message: ['UNAVAILABLE', 'HTTP 503'] });
});

t.test('an exporter timeout of 0 is no limit: a quick answer is taken, not cut at once', async (t) => {
  const g = await startGrpcServer({ delayMs: 50 });
  t.teardown(() => g.close());
  const h = await startHttpServer({ delayMs: 50 });
  t.teardown(() => h.close());
  const rg = await probeOnce(grpc(g.port, 0));
  const rh = await probeOnce(http(h.port, 0));
  t.same([rg.up, rg.problems], [true, []], 'gRPC');
  t.same([rh.up, rh.problems], [true, []], 'HTTP');
});
