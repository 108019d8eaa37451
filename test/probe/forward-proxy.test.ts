import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exporterSpec, expectProblem, probeOnce } from '../helpers/probe-fixtures.js';
import { closedPort, startConnectProxy, startGrpcServer, startHttpServer, testLookup } from '../helpers/servers.js';
import { runCli } from '../helpers/run-cli.js';
import { collectorYaml } from '../helpers/collector-yaml.js';

const httpAt = (port: number) => exporterSpec({ protocol: 'http', endpoint: `http://backend.test:${port}` });

t.test('HTTP_PROXY in absolute form: a 407 from the proxy is the proxy asking for credentials', async (t) => {
  const proxy = await startConnectProxy({ requiredAuth: 'alice:right-password' });
  const s = await startHttpServer();
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(httpAt(s.port), { lookup: testLookup(), env: { HTTP_PROXY: proxy.url } });
  expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_rejected',
    message: [`the proxy ${proxy.url} (from HTTP_PROXY) answered POST http://backend.test:${s.port}/v1/traces with 407`, 'wants credentials'],
    fix: ['USER:PASSWORD', 'HTTP_PROXY', 'NO_PROXY'],
  });
  t.same(proxy.seen, [`http://backend.test:${s.port}/v1/traces`], 'absolute form, no CONNECT');
  t.equal(s.requests.length, 0, 'the backend was never reached');
  t.same(r.proxy, { url: proxy.url, source: 'HTTP_PROXY', mode: 'forward' }, 'the proxy is named in the result');
});

t.test('HTTP_PROXY in absolute form: a 502 names the proxy, not the backend', async (t) => {
  const proxy = await startConnectProxy();
  const port = await closedPort();
  t.teardown(() => proxy.close());
  const r = await probeOnce(httpAt(port), { lookup: testLookup(), env: { HTTP_PROXY: proxy.url } });
  const p = expectProblem(t, r, {
    cause: 'network',
    reason: 'proxy_rejected',
    message: [`the proxy ${proxy.url} (from HTTP_PROXY)`, '502 Bad Gateway', `could not get an answer from backend.test:${port}`],
    fix: [`Check that the proxy ${proxy.url} can reach backend.test:${port}`],
  });
  t.notMatch(p?.reason, 'unavailable');
});

t.test('HTTP_PROXY in absolute form: the backend answer is the backend\'s, and says it came through the proxy', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startHttpServer({ requiredToken: 'tok-1234-abcd' });
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(httpAt(s.port), { lookup: testLookup(), env: { HTTP_PROXY: proxy.url } });
  expectProblem(t, r, {
    cause: 'auth',
    reason: 'unauthorized',
    message: [`POST http://backend.test:${s.port}/v1/traces through proxy ${proxy.url} (from HTTP_PROXY)`, 'HTTP 401'],
  });
});

t.test('up through a proxy: the result names it, forward for http://, tunnel for gRPC; gRPC ignores HTTP_PROXY', async (t) => {
  const proxy = await startConnectProxy();
  const h = await startHttpServer();
  const g = await startGrpcServer();
  t.teardown(() => Promise.all([proxy.close(), h.close(), g.close()]));
  const viaHttp = await probeOnce(httpAt(h.port), { lookup: testLookup(), env: { HTTP_PROXY: proxy.url } });
  t.same([viaHttp.up, viaHttp.proxy], [true, { url: proxy.url, source: 'HTTP_PROXY', mode: 'forward' }]);
  const grpc = exporterSpec({ endpoint: `backend.test:${g.port}`, tls: { insecure: true } });
  const direct = await probeOnce(grpc, { lookup: testLookup(), env: { HTTP_PROXY: proxy.url } });
  t.same([direct.up, direct.proxy], [true, null], 'grpc-go asks for the proxy of https://host, so HTTP_PROXY is not used');
  const tunnelled = await probeOnce(grpc, { lookup: testLookup(), env: { HTTPS_PROXY: proxy.url } });
  t.same([tunnelled.up, tunnelled.proxy], [true, { url: proxy.url, source: 'HTTPS_PROXY', mode: 'tunnel' }]);
  const bypassed = await probeOnce(grpc, { lookup: testLookup(), env: { HTTPS_PROXY: proxy.url, NO_PROXY: '.test' } });
  t.same([bypassed.up, bypassed.proxy], [true, null], 'NO_PROXY applies to gRPC too');
  t.same(proxy.seen, [`http://backend.test:${h.port}/v1/traces`, `backend.test:${g.port}`, `backend.test:${g.port}`]);
});

t.test('check shows the proxy of an exporter that is up through it (report and JSON)', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startHttpServer();
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-forward-proxy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const collector = join(dir, 'collector.yaml');
  // the proxy resolves *.test to loopback; the sentinel never needs to
  writeFileSync(collector, collectorYaml({ 'otlphttp/proxied': { endpoint: `http://backend.test:${s.port}` } }));
  const sentinel = join(dir, 'sentinel.yaml');
  writeFileSync(sentinel, `collector:\n  config_files: [${JSON.stringify(collector)}]\n  telemetry_url: ""\n  use_process_environment: false\n`);
  const env = { HTTP_PROXY: proxy.url, http_proxy: '', NO_PROXY: '', no_proxy: '' };
  const json = await runCli(['check', '--config', sentinel, '--json', '--no-collector'], env);
  t.equal(json.code, 0, json.stdout + json.stderr);
  const e = (JSON.parse(json.stdout) as { exporters: Array<{ up: boolean; proxy: unknown }> }).exporters[0]!;
  t.same([e.up, e.proxy], [true, { url: proxy.url, source: 'HTTP_PROXY', mode: 'forward' }]);
  const report = await runCli(['check', '--config', sentinel, '--no-collector'], env);
  t.match(report.stdout, `through proxy ${proxy.url} (from HTTP_PROXY, absolute-form requests)`);
});
