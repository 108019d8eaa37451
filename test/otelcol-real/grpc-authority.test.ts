/**
 * A gRPC exporter's `authority` (configgrpc's grpc.WithAuthority) is the channel's :authority, and
 * grpc-go checks the server's certificate against its host; without it, tls.server_name_override
 * is the authority over TLS. A backend behind a name-routed proxy, or reached by address with a
 * certificate for its name, is healthy for the collector: the probe must send and check the same.
 * Real HTTP/2 servers on loopback (TLS with a certificate that names only backend.test, and h2c);
 * the real collector exporting to them is the oracle, and a real `check` must agree with it.
 */
import t from 'tap';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, createServer, type Http2Server, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueServerCert, testCerts } from '../helpers/certs.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { runCli } from '../helpers/run-cli.js';

t.setTimeout(120_000);

interface Seen {
  authority?: string;
  sni?: string | false;
  /** calls answered */
  calls?: number;
}

/** A gRPC server that answers every call OK and records the :authority (and SNI) of the last one. */
async function grpcOk(tls?: { cert: string; key: string }): Promise<{ port: number; seen: Seen; server: Http2Server | Http2SecureServer }> {
  const seen: Seen = {};
  const server = tls ? createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: false }) : createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    seen.authority = headers[':authority'];
    seen.calls = (seen.calls ?? 0) + 1;
    seen.sni = (stream.session?.socket as { servername?: string | false } | undefined)?.servername;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.resume();
    stream.on('end', () => stream.end(Buffer.alloc(5)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, seen, server };
}

interface Entry {
  name: string;
  state: string;
  problems: { reason: string }[];
}

t.test("authority: the :authority sent and the name the certificate is checked against, as grpc-go's", async (t) => {
  const { ca } = testCerts();
  const named = issueServerCert('authority-only', 'backend.test', 'DNS:backend.test');
  const servers = {
    'otlp/by-address': await grpcOk(named),
    'otlp/authority': await grpcOk(named),
    'otlp/authority-port': await grpcOk(named),
    'otlp/override': await grpcOk(named),
    'otlp/h2c-authority': await grpcOk(),
    'otlp/h2c': await grpcOk(),
    'otelarrow/authority': await grpcOk(named),
  };
  t.teardown(() => Promise.all(Object.values(servers).map((s) => new Promise<void>((r) => s.server.close(() => r())))));
  const tls = { ca_file: ca.certFile };
  const at = (name: keyof typeof servers): string => `127.0.0.1:${servers[name].port}`;
  const exporters = {
    'otlp/by-address': { endpoint: at('otlp/by-address'), tls },
    'otlp/authority': { endpoint: at('otlp/authority'), tls, authority: 'backend.test' },
    'otlp/authority-port': { endpoint: at('otlp/authority-port'), tls, authority: 'backend.test:4317' },
    'otlp/override': { endpoint: at('otlp/override'), tls: { ...tls, server_name_override: 'backend.test' } },
    'otlp/h2c-authority': { endpoint: at('otlp/h2c-authority'), tls: { insecure: true }, authority: 'tenant-a.example' },
    'otlp/h2c': { endpoint: at('otlp/h2c'), tls: { insecure: true } },
    // a gRPC client too (configgrpc), probed to TLS: its certificate is checked against the authority
    'otelarrow/authority': { endpoint: at('otelarrow/authority'), tls, authority: 'backend.test' },
  };
  const dir = mkdtempSync(join(tmpdir(), 'grpc-authority-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const collector = join(dir, 'collector.yaml');
  writeFileSync(collector, collectorYaml(exporters));
  const run = await runCli(['check', '--no-collector', '--json', '--collector-config', collector]);
  t.not(run.code, 2, run.stderr);
  const byName = new Map((JSON.parse(run.stdout) as { exporters: Entry[] }).exporters.map((e) => [e.name, e]));
  const result = (name: string) => ({ state: byName.get(name)?.state, reasons: byName.get(name)?.problems.map((p) => p.reason) });

  t.same(result('otlp/by-address'), { state: 'down', reasons: ['tls_hostname_mismatch'] }, 'by address alone the certificate does not fit, for the collector too');
  t.same(result('otlp/authority'), { state: 'up', reasons: [] }, 'authority: checked against its name');
  t.match(servers['otlp/authority'].seen, { authority: 'backend.test', sni: 'backend.test' }, 'and sent as :authority and SNI');
  t.same(result('otlp/authority-port'), { state: 'up', reasons: [] }, 'authority with a port: its host is the name');
  t.match(servers['otlp/authority-port'].seen, { authority: 'backend.test:4317', sni: 'backend.test' });
  t.same(result('otlp/override'), { state: 'up', reasons: [] }, 'server_name_override alone');
  t.equal(servers['otlp/override'].seen.authority, 'backend.test', 'over TLS it is the authority too');
  t.same(result('otlp/h2c-authority'), { state: 'up', reasons: [] });
  t.equal(servers['otlp/h2c-authority'].seen.authority, 'tenant-a.example', 'plaintext: the authority is sent as written');
  t.equal(servers['otlp/h2c'].seen.authority, at('otlp/h2c'), 'without one: the endpoint');
  t.same(result('otelarrow/authority'), { state: 'up', reasons: [] }, 'otelarrow: the certificate checked against its authority');
});

t.test('the real collector: by address the export fails on the name, with authority it is sent; check agrees', async (t) => {
  const { ca } = testCerts();
  const named = issueServerCert('authority-only', 'backend.test', 'DNS:backend.test');
  const byAddress = await grpcOk(named);
  const withAuthority = await grpcOk(named);
  t.teardown(() => Promise.all([byAddress, withAuthority].map((s) => new Promise<void>((r) => s.server.close(() => r())))));
  const tls = { ca_file: ca.certFile };
  // the project's test collector: an OTLP receiver, a telemetry reader, these exporters in one pipeline
  const collector = await startCollector({
    exporters: {
      'otlp_grpc/by-address': { endpoint: `127.0.0.1:${byAddress.port}`, tls, retry_on_failure: { enabled: false } },
      'otlp_grpc/authority': { endpoint: `127.0.0.1:${withAuthority.port}`, tls, authority: 'backend.test', retry_on_failure: { enabled: false } },
    },
  });
  t.teardown(() => collector.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 1, intervalMs: 200 });
  t.teardown(() => load.stop());
  const error = await waitFor('the export by address to fail', async () => collector.lastErrors().get('otlp_grpc/by-address'), { timeoutMs: 30_000 });
  t.match(error, /certificate is valid for backend\.test, not 127\.0\.0\.1|x509/, 'the collector: by address the certificate does not fit');
  await waitFor('the export with authority to arrive', async () => ((withAuthority.seen.calls ?? 0) > 0 ? true : undefined), { timeoutMs: 30_000 });
  t.match(withAuthority.seen, { authority: 'backend.test', sni: 'backend.test' }, 'the collector: :authority and SNI are the authority');
  t.notOk(collector.lastErrors().get('otlp_grpc/authority'), 'the collector: no error with authority');

  const run = await runCli(['check', '--no-collector', '--json', '--collector-config', collector.configFile]);
  const byName = new Map((JSON.parse(run.stdout) as { exporters: Entry[] }).exporters.map((e) => [e.name, e]));
  t.same(byName.get('otlp_grpc/by-address')?.problems.map((p) => p.reason), ['tls_hostname_mismatch'], 'check: the same failure');
  t.same([byName.get('otlp_grpc/authority')?.state, byName.get('otlp_grpc/authority')?.problems], ['up', []], 'check: up, as the collector sends');
});
