import t from 'tap';
import { status } from '@grpc/grpc-js';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer } from '../helpers/servers.js';

const TOKEN = 'tok-5ecr3t-DISTINCTIVE-7781';

t.test('unauthorized: gRPC UNAUTHENTICATED when no token is sent', async (t) => {
  const s = await startGrpcServer({ requiredToken: 'the-right-token' });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  expectProblem(t, r, {
    cause: 'auth',
    reason: 'unauthorized',
    message: ['UNAUTHENTICATED', 'missing or wrong bearer token', 'no credentials were sent'],
    fix: ['exporters.otlp/test.headers', 'auth.authenticator'],
  });
});

t.test('unauthorized: HTTP 401 with a wrong token, which is never shown', async (t) => {
  const s = await startHttpServer({ requiredToken: 'the-right-token' });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}`, headers: { Authorization: `Bearer ${TOKEN}` } }),
  );
  expectProblem(t, r, {
    cause: 'auth',
    reason: 'unauthorized',
    message: ['HTTP 401', `POST http://127.0.0.1:${s.port}/v1/traces`, 'headers sent: authorization'],
  });
  t.equal(s.requests[0]?.headers.authorization, `Bearer ${TOKEN}`, 'the token was sent');
  t.notMatch(JSON.stringify(r), TOKEN, 'the token never appears');
});

t.test('forbidden: gRPC PERMISSION_DENIED', async (t) => {
  const s = await startGrpcServer({ status: status.PERMISSION_DENIED, details: 'tenant may not write' });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true }, headers: { 'x-api-key': TOKEN } }),
  );
  expectProblem(t, r, {
    cause: 'auth',
    reason: 'forbidden',
    message: ['PERMISSION_DENIED', 'tenant may not write', 'x-api-key'],
    fix: ['X-Scope-OrgID'],
  });
  t.equal(s.calls[0]?.metadata['x-api-key'], TOKEN, 'the header went as metadata');
  t.notMatch(JSON.stringify(r), TOKEN);
});

t.test('forbidden: HTTP 403', async (t) => {
  const s = await startHttpServer({ status: 403 });
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }));
  expectProblem(t, r, { cause: 'auth', reason: 'forbidden', message: ['HTTP 403 Forbidden'] });
});

t.test('missing_credentials from the config is returned without probing', async (t) => {
  const s = await startHttpServer();
  t.teardown(() => s.close());
  const { problem } = await import('../../src/diagnose/catalogue.js');
  const configProblem = problem('missing_credentials', { exporter: 'otlphttp/test', key: 'headers.authorization', variable: 'TEMPO_TOKEN' });
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}`, configProblems: [configProblem] }),
  );
  expectProblem(t, r, { cause: 'auth', reason: 'missing_credentials', message: ['TEMPO_TOKEN'] });
  t.equal(s.requests.length, 0, 'nothing was sent');
});
