import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import {
  closedPort,
  failingLookup,
  resolverLookup,
  startBacklogFullListener,
  startConnectProxy,
  startDnsStub,
  startGrpcServer,
  startRawServer,
  testLookup,
  RCODE,
} from '../helpers/servers.js';

const grpcPlain = (endpoint: string) => exporterSpec({ endpoint, tls: { insecure: true } });

t.test('connection_refused: nothing listens on the port', async (t) => {
  const port = await closedPort();
  const r = await probeOnce(grpcPlain(`127.0.0.1:${port}`));
  expectProblem(t, r, {
    cause: 'network',
    reason: 'connection_refused',
    message: ['ECONNREFUSED', `127.0.0.1:${port}`],
    fix: ['exporters.otlp/test.endpoint', `nc -vz 127.0.0.1 ${port}`],
  });
  t.type(r.phases.connect_seconds, 'number');
  t.equal(r.phases.dns_seconds, null, 'an IP literal skips DNS');
});

t.test('connect_timeout: the SYN is never answered', async (t) => {
  const listener = await startBacklogFullListener();
  t.teardown(() => listener.close());
  const r = await probeOnce(grpcPlain(`127.0.0.1:${listener.port}`), { timeoutMs: 1500 });
  expectProblem(t, r, {
    cause: 'network',
    reason: 'connect_timeout',
    message: [`127.0.0.1:${listener.port}`, /no answer within \d+ ms/],
    fix: ['NetworkPolicy', 'HTTPS_PROXY'],
  });
});

t.test('host_unreachable: no route (a network namespace whose loopback is down)', async (t) => {
  const script = fileURLToPath(new URL('../helpers/unreachable-probe.ts', import.meta.url));
  const args = ['-n', process.execPath, '--import=@tapjs/typescript/import', script];
  let out = spawnSync('unshare', args, { encoding: 'utf8', timeout: 60_000 });
  if (out.status !== 0 && /unshare failed|Operation not permitted/.test(out.stderr)) {
    out = spawnSync('unshare', ['-r', ...args], { encoding: 'utf8', timeout: 60_000 });
  }
  t.equal(out.status, 0, `child probe ran: ${out.stderr}`);
  const r = JSON.parse(out.stdout);
  expectProblem(t, r, {
    cause: 'network',
    reason: 'host_unreachable',
    message: ['ENETUNREACH', '127.0.0.1:4317'],
    fix: ['exporters.otlp/test.endpoint'],
  });
});

t.test('connection_reset: the server resets every connection', async (t) => {
  const server = await startRawServer((s) => s.resetAndDestroy());
  t.teardown(() => server.close());
  const r = await probeOnce(grpcPlain(`127.0.0.1:${server.port}`));
  expectProblem(t, r, {
    cause: 'network',
    reason: 'connection_reset',
    message: ['ECONNRESET', `127.0.0.1:${server.port}`],
  });
});

t.test('dns_unavailable: the resolver does not answer (EAI_AGAIN)', async (t) => {
  const r = await probeOnce(grpcPlain('tempo.example.test:4317'), { lookup: failingLookup('EAI_AGAIN') });
  expectProblem(t, r, {
    cause: 'network',
    reason: 'dns_unavailable',
    message: ['EAI_AGAIN', 'tempo.example.test'],
    fix: ['/etc/resolv.conf', 'getent hosts tempo.example.test'],
  });
  t.type(r.phases.dns_seconds, 'number');
});

t.test('dns_unavailable: a real resolver answers SERVFAIL', async (t) => {
  const stub = await startDnsStub(RCODE.SERVFAIL);
  t.teardown(() => stub.close());
  const r = await probeOnce(grpcPlain('tempo.example.test:4317'), { lookup: resolverLookup(stub.port) });
  expectProblem(t, r, { cause: 'network', reason: 'dns_unavailable', message: ['ESERVFAIL', 'tempo.example.test'] });
  t.ok(stub.queries() > 0, 'the stub was asked');
});

t.test('proxy_unreachable: HTTPS_PROXY names a port where nothing listens', async (t) => {
  const port = await closedPort();
  const r = await probeOnce(grpcPlain('backend.test:4317'), {
    lookup: testLookup(),
    env: { HTTPS_PROXY: `http://user:pr0xy-pass@proxy.test:${port}` },
  });
  const p = expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_unreachable',
    message: [`http://proxy.test:${port}`, 'HTTPS_PROXY', 'ECONNREFUSED'],
    fix: ['HTTPS_PROXY', 'NO_PROXY'],
  });
  t.notMatch(JSON.stringify(p), 'pr0xy-pass', 'the proxy password is never shown');
});

t.test('proxy_unreachable: proxy_url host does not resolve', async (t) => {
  const r = await probeOnce(
    exporterSpec({ protocol: 'http', endpoint: 'https://backend.test:4318', proxyUrl: 'http://nowhere.test:3128' }),
    { lookup: testLookup() },
  );
  expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_unreachable',
    message: ['http://nowhere.test:3128', 'proxy_url', 'ENOTFOUND'],
    fix: ['exporters.otlphttp/test.proxy_url'],
  });
});

t.test('proxy_rejected: the proxy answers 403 to CONNECT', async (t) => {
  const proxy = await startConnectProxy({ refuseStatus: 403 });
  const backend = await startGrpcServer();
  t.teardown(() => Promise.all([proxy.close(), backend.close()]));
  const r = await probeOnce(grpcPlain(`backend.test:${backend.port}`), {
    lookup: testLookup(),
    env: { https_proxy: proxy.url, NO_PROXY: 'localhost,.internal' },
  });
  expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_rejected',
    message: ['403', proxy.url, `backend.test:${backend.port}`, 'https_proxy'],
    fix: ['NO_PROXY'],
  });
  t.same(proxy.seen, [`backend.test:${backend.port}`]);
});

t.test('proxy_rejected: 407 asks for credentials in the proxy URL', async (t) => {
  const proxy = await startConnectProxy({ requiredAuth: 'alice:right-password' });
  t.teardown(() => proxy.close());
  const r = await probeOnce(
    exporterSpec({
      protocol: 'http',
      endpoint: 'https://backend.test:4318',
      proxyUrl: `http://alice:wrong-password@127.0.0.1:${proxy.port}`,
    }),
    { lookup: testLookup() },
  );
  const p = expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_rejected',
    message: ['407', `http://127.0.0.1:${proxy.port}`],
    fix: ['exporters.otlphttp/test.proxy_url', 'USER:PASSWORD'],
  });
  t.notMatch(JSON.stringify(p), 'wrong-password');
  t.equal(proxy.auths[0], `Basic ${Buffer.from('alice:wrong-password').toString('base64')}`, 'credentials were sent');
});
