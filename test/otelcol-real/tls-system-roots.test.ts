/**
 * `tls.include_system_ca_certs_pool: true` beside a `ca_file`: configtls trusts the system's roots
 * and the CA, so a backend whose certificate a system root signed is healthy for the collector; the
 * probe must not call it tls_unknown_authority. The system store is pointed at a test CA with
 * SSL_CERT_FILE, which Go and Node.js (OpenSSL's default locations) both honour. The real collector
 * exporting to real gRPC servers on loopback is the oracle, and `check` must agree with it.
 */
import t from 'tap';
import { testCerts } from '../helpers/certs.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { runCli } from '../helpers/run-cli.js';
import { startGrpcServer } from '../helpers/servers.js';

t.setTimeout(120_000);

interface Entry {
  name: string;
  state: string;
  problems: { reason: string }[];
}

t.test('the CA beside the system roots: the collector sends, and check says up; the CA alone fails in both', async (t) => {
  const certs = testCerts();
  // "the system's roots": the other CA, which signed the servers' certificates
  const env = { SSL_CERT_FILE: certs.otherCa.certFile };
  const tls = { cert: certs.untrusted.cert, key: certs.untrusted.key };
  const withSystem = await startGrpcServer({ tls });
  const caOnly = await startGrpcServer({ tls });
  t.teardown(() => Promise.all([withSystem.close(), caOnly.close()]));
  // the project's test collector: an OTLP receiver, a telemetry reader, these exporters in one pipeline
  const collector = await startCollector({
    env,
    exporters: {
      'otlp_grpc/with-system': {
        endpoint: `127.0.0.1:${withSystem.port}`,
        tls: { ca_file: certs.ca.certFile, include_system_ca_certs_pool: true },
        retry_on_failure: { enabled: false },
      },
      'otlp_grpc/ca-only': { endpoint: `127.0.0.1:${caOnly.port}`, tls: { ca_file: certs.ca.certFile }, retry_on_failure: { enabled: false } },
    },
  });
  t.teardown(() => collector.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 1, intervalMs: 200 });
  t.teardown(() => load.stop());
  const error = await waitFor('the export trusting the CA alone to fail', async () => collector.lastErrors().get('otlp_grpc/ca-only'), { timeoutMs: 30_000 });
  t.match(error, /x509|unknown authority/, 'the collector: the CA alone does not trust the server');
  await waitFor('an export with the system roots to arrive', async () => (withSystem.calls.length > 0 ? true : undefined), { timeoutMs: 30_000 });
  t.notOk(collector.lastErrors().get('otlp_grpc/with-system'), 'the collector: no error with the system roots');

  const run = await runCli(['check', '--no-collector', '--json', '--collector-config', collector.configFile], env);
  const byName = new Map((JSON.parse(run.stdout) as { exporters: Entry[] }).exporters.map((e) => [e.name, e]));
  t.same([byName.get('otlp_grpc/with-system')?.state, byName.get('otlp_grpc/with-system')?.problems], ['up', []], 'check: up, as the collector sends');
  t.same(byName.get('otlp_grpc/ca-only')?.problems.map((p) => p.reason), ['tls_unknown_authority'], 'check: the same failure');
});
