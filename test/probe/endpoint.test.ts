import t from 'tap';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { RCODE, resolverLookup, startDnsStub, startHttpServer, testLookup } from '../helpers/servers.js';

t.test('dns_not_found: a real resolver says the name does not exist (NXDOMAIN)', async (t) => {
  const stub = await startDnsStub(RCODE.NXDOMAIN);
  t.teardown(() => stub.close());
  const r = await probeOnce(exporterSpec({ endpoint: 'tempo.nowhere.invalid:4317' }), { lookup: resolverLookup(stub.port) });
  expectProblem(t, r, {
    cause: 'endpoint',
    reason: 'dns_not_found',
    message: ['tempo.nowhere.invalid', 'ENOTFOUND'],
    fix: ['exporters.otlp/test.endpoint', 'svc.cluster.local'],
  });
});

t.test('dns_not_found: the injected lookup does not know the name', async (t) => {
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: 'http://missing.test:4318' }), { lookup: testLookup() });
  expectProblem(t, r, { cause: 'endpoint', reason: 'dns_not_found', message: ['missing.test'] });
});

t.test('http_not_found: 404 on the traces path', async (t) => {
  const s = await startHttpServer();
  t.teardown(() => s.close());
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}/otlp` }));
  expectProblem(t, r, {
    cause: 'endpoint',
    reason: 'http_not_found',
    message: [`POST http://127.0.0.1:${s.port}/otlp/v1/traces`, 'HTTP 404'],
    fix: ['exporters.otlphttp/test.endpoint', 'traces_endpoint', '4318'],
  });
  t.equal(s.requests[0]?.url, '/otlp/v1/traces');
});

t.test('traces_endpoint is used as is', async (t) => {
  const s = await startHttpServer({ path: '/custom/traces' });
  t.teardown(() => s.close());
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: 'http://ignored.test:1', tracesEndpoint: `http://127.0.0.1:${s.port}/custom/traces` }),
  );
  t.equal(r.up, true, JSON.stringify(r.problems));
});

t.test('missing_endpoint and invalid_endpoint come back without probing', async (t) => {
  const missing = await probeOnce(exporterSpec({ endpoint: '' }));
  expectProblem(t, missing, { cause: 'endpoint', reason: 'missing_endpoint', message: ['otlp/test'] });
  const invalid = await probeOnce(exporterSpec({ protocol: 'http', endpoint: 'ftp://tempo:4318' }));
  expectProblem(t, invalid, { cause: 'endpoint', reason: 'invalid_endpoint', message: ['ftp'] });
});
