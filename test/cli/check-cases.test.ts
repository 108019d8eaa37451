import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { status } from '@grpc/grpc-js';
import { testCerts } from '../helpers/certs.js';
import { closedPort, startConnectProxy, startGrpcServer, startHttpServer } from '../helpers/servers.js';
import { collectorYaml } from '../helpers/collector-yaml.js';

const TOKEN = 'check-cases-TOKEN-90210';

/**
 * One collector config with an exporter per case, one `check --json` round over all of them: each
 * exporter gets its own cause and reason, the healthy ones are up.
 */
t.test('check --json names the right cause and reason for every case in one round', async (t) => {
  const certs = testCerts();
  const closers: Array<() => Promise<void>> = [];
  t.teardown(async () => {
    await Promise.allSettled(closers.map((c) => c()));
  });
  const keep = <T extends { close(): Promise<void> }>(s: T): T => {
    closers.push(() => s.close());
    return s;
  };
  const tlsServer = { cert: certs.server.cert, key: certs.server.key };
  const ca = { ca_file: certs.ca.certFile };

  const grpcPlain = keep(await startGrpcServer());
  const grpcTls = keep(await startGrpcServer({ tls: tlsServer }));
  const grpcMtls = keep(await startGrpcServer({ tls: { ...tlsServer, clientCa: certs.ca.cert } }));
  const grpcUnimplemented = keep(await startGrpcServer({ implementExport: false }));
  const grpcUnauth = keep(await startGrpcServer({ status: status.UNAUTHENTICATED }));
  const https = keep(await startHttpServer({ tls: tlsServer }));
  const proxy = keep(await startConnectProxy());
  const refusingProxy = keep(await startConnectProxy({ refuseStatus: 403 }));
  const needsToken = keep(await startHttpServer({ requiredToken: TOKEN }));
  const http = (s: number, extra: { retryAfter?: string } = {}) => startHttpServer({ status: s, ...extra }).then(keep);
  const untrusted = keep(await startHttpServer({ tls: { cert: certs.untrusted.cert, key: certs.untrusted.key } }));
  const expired = keep(await startHttpServer({ tls: { cert: certs.expired.cert, key: certs.expired.key } }));
  const wrongHost = keep(await startHttpServer({ tls: { cert: certs.wrongHost.cert, key: certs.wrongHost.key } }));
  const wantsClientCert = keep(await startHttpServer({ tls: { ...tlsServer, clientCa: certs.ca.cert } }));
  const refused = await closedPort();

  const cases: Record<string, { block: Record<string, unknown>; up: boolean; cause?: string; reason?: string }> = {
    'otlp/grpc-plain': { block: { endpoint: `127.0.0.1:${grpcPlain.port}`, tls: { insecure: true } }, up: true },
    'otlp/grpc-tls': { block: { endpoint: `localhost:${grpcTls.port}`, tls: ca }, up: true },
    'otlp/grpc-mtls': {
      block: { endpoint: `localhost:${grpcMtls.port}`, tls: { ...ca, cert_file: certs.client.certFile, key_file: certs.client.keyFile } },
      up: true,
    },
    'otlphttp/https-via-proxy': { block: { endpoint: `https://localhost:${https.port}`, tls: ca, proxy_url: proxy.url }, up: true },
    'otlphttp/env-token': { block: { endpoint: `http://127.0.0.1:${needsToken.port}`, headers: { authorization: 'Bearer ${env:CHECK_CASES_TOKEN}' } }, up: true },
    'otlp/refused': { block: { endpoint: `127.0.0.1:${refused}`, tls: { insecure: true } }, up: false, cause: 'network', reason: 'connection_refused' },
    'otlphttp/proxy-refuses': {
      block: { endpoint: `https://localhost:${https.port}`, tls: ca, proxy_url: refusingProxy.url },
      up: false,
      cause: 'network',
      reason: 'proxy_rejected',
    },
    'otlphttp/no-such-host': { block: { endpoint: 'http://no-such-backend.invalid:4318' }, up: false, cause: 'endpoint', reason: 'dns_not_found' },
    'otlphttp/wrong-path': { block: { endpoint: `http://127.0.0.1:${(await http(200)).port}`, traces_endpoint: `http://127.0.0.1:${(await http(200)).port}/v1/trace` }, up: false, cause: 'endpoint', reason: 'http_not_found' },
    'otlphttp/untrusted': { block: { endpoint: `https://localhost:${untrusted.port}` }, up: false, cause: 'tls', reason: 'tls_unknown_authority' },
    'otlphttp/expired': { block: { endpoint: `https://localhost:${expired.port}`, tls: ca }, up: false, cause: 'tls', reason: 'tls_cert_expired' },
    'otlphttp/wrong-host': { block: { endpoint: `https://localhost:${wrongHost.port}`, tls: ca }, up: false, cause: 'tls', reason: 'tls_hostname_mismatch' },
    'otlphttp/client-cert': { block: { endpoint: `https://localhost:${wantsClientCert.port}`, tls: ca }, up: false, cause: 'tls', reason: 'tls_client_cert_required' },
    'otlphttp/plaintext-to-tls': { block: { endpoint: `http://127.0.0.1:${https.port}` }, up: false, cause: 'tls', reason: 'tls_required' },
    'otlp/tls-to-plaintext': { block: { endpoint: `localhost:${grpcPlain.port}`, tls: ca }, up: false, cause: 'tls', reason: 'tls_server_plaintext' },
    'otlphttp/401': { block: { endpoint: `http://127.0.0.1:${needsToken.port}` }, up: false, cause: 'auth', reason: 'unauthorized' },
    'otlphttp/403': { block: { endpoint: `http://127.0.0.1:${(await http(403)).port}` }, up: false, cause: 'auth', reason: 'forbidden' },
    'otlp/unauthenticated': { block: { endpoint: `127.0.0.1:${grpcUnauth.port}`, tls: { insecure: true } }, up: false, cause: 'auth', reason: 'unauthorized' },
    'otlphttp/missing-env': { block: { endpoint: `http://127.0.0.1:${needsToken.port}`, headers: { authorization: 'Bearer ${env:CHECK_CASES_UNSET}' } }, up: false, cause: 'auth', reason: 'missing_credentials' },
    'otlphttp/503': { block: { endpoint: `http://127.0.0.1:${(await http(503, { retryAfter: '30' })).port}` }, up: false, cause: 'backend', reason: 'unavailable' },
    'otlphttp/429': { block: { endpoint: `http://127.0.0.1:${(await http(429)).port}` }, up: false, cause: 'backend', reason: 'throttled' },
    'otlphttp/500': { block: { endpoint: `http://127.0.0.1:${(await http(500)).port}` }, up: false, cause: 'backend', reason: 'server_error' },
    'otlphttp/415': { block: { endpoint: `http://127.0.0.1:${(await http(415)).port}` }, up: false, cause: 'protocol', reason: 'unsupported_media_type' },
    'otlphttp/400': { block: { endpoint: `http://127.0.0.1:${(await http(400)).port}` }, up: false, cause: 'protocol', reason: 'bad_request' },
    'otlp/to-http-server': { block: { endpoint: `127.0.0.1:${(await http(200)).port}`, tls: { insecure: true } }, up: false, cause: 'protocol', reason: 'grpc_to_http_server' },
    'otlphttp/to-grpc-server': { block: { endpoint: `http://127.0.0.1:${grpcPlain.port}` }, up: false, cause: 'protocol', reason: 'http_to_grpc_server' },
    'otlp/unimplemented': { block: { endpoint: `127.0.0.1:${grpcUnimplemented.port}`, tls: { insecure: true } }, up: false, cause: 'protocol', reason: 'grpc_unimplemented' },
  };

  const dir = mkdtempSync(join(tmpdir(), 'sentinel-check-cases-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exporters = Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, v.block]));
  const collector = join(dir, 'collector.yaml');
  writeFileSync(collector, collectorYaml(exporters));
  const sentinel = join(dir, 'sentinel.yaml');
  writeFileSync(sentinel, `collector:\n  config_files: [${JSON.stringify(collector)}]\n  telemetry_url: ""\n  use_process_environment: false\nprobe:\n  timeout: 4s\n`);

  const env: Record<string, string | undefined> = { ...process.env, CHECK_CASES_TOKEN: TOKEN };
  delete env.CHECK_CASES_UNSET;
  const { code, stdout, stderr } = await runCli(['check', '--config', sentinel, '--json'], env);
  t.equal(code, 1, `exit 1: some exporters fail (${stderr})`);
  const d = JSON.parse(stdout) as { exporters: Array<{ name: string; up: boolean; problems: Array<{ cause: string; reason: string; severity: string }> }> };
  for (const [name, want] of Object.entries(cases)) {
    const e = d.exporters.find((x) => x.name === name);
    if (!e) {
      t.fail(`${name} missing from the diagnosis`);
      continue;
    }
    t.equal(e.up, want.up, `${name}: up is ${want.up}`);
    const critical = e.problems.filter((p) => p.severity === 'critical' && p.cause !== 'queue');
    if (want.up) {
      t.same(critical, [], `${name}: no critical problem`);
    } else {
      t.equal(critical.length, 1, `${name}: exactly one probe cause`);
      t.equal(critical[0]?.cause, want.cause, `${name}: cause`);
      t.equal(critical[0]?.reason, want.reason, `${name}: reason`);
    }
  }
  t.notMatch(stdout + stderr, TOKEN, 'the token never appears');
  t.ok(proxy.seen.some((s) => s.startsWith('localhost:')), 'the proxied exporter went through the CONNECT proxy');
});
