import t from 'tap';
import { problem } from '../../src/diagnose/catalogue.js';
import { createJudgedProber } from '../helpers/judged.js';
import { exporterSpec, probeContext, probeOnce } from '../helpers/probe-fixtures.js';
import { startGrpcServer, startSilentServer } from '../helpers/servers.js';

t.test('a probe returns by its deadline, whatever the server does', async (t) => {
  const s = await startSilentServer();
  t.teardown(() => s.close());
  const started = Date.now();
  const r = await probeOnce(exporterSpec({ protocol: 'http', endpoint: `http://127.0.0.1:${s.port}` }), { timeoutMs: 300 });
  t.equal(r.up, false);
  t.ok(Date.now() - started < 10_000, 'it returned (well before the test timeout)');
  // the exporter would wait 30 s: the probe gave up, it cannot say the exporter fails
  t.equal(r.problems[0]?.reason, 'probe_timeout');
});

t.test('a critical config problem is returned without probing, alone: one probe cause at a time', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const warning = problem('grpc_port_mismatch', { exporter: 'otlp/test', endpoint: 'x:4318' });
  const critical = problem('missing_endpoint', { exporter: 'otlp/test' });
  const credentials = problem('missing_credentials', { exporter: 'otlp/test', key: 'headers.authorization', variable: 'TOKEN' });
  const tlsBroken = problem('tls_config_invalid', { exporter: 'otlp/test', key: 'tls.ca_file', detail: 'cannot read' });
  const blocked = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true }, configProblems: [warning, critical] }));
  t.equal(blocked.up, false);
  t.same(blocked.problems.map((p) => p.reason), ['missing_endpoint']);
  const both = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true }, configProblems: [credentials, tlsBroken] }));
  t.same(both.problems.map((p) => p.reason), ['tls_config_invalid'], 'the TLS layer comes before the credentials');
  t.equal(s.calls.length, 0, 'nothing was sent');
  const warned = await probeOnce(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true }, configProblems: [warning] }));
  t.equal(warned.up, true);
  t.same(warned.problems.map((p) => p.reason), ['grpc_port_mismatch']);
});

t.test('the same prober goes on probing after a failed round', async (t) => {
  const bad = await startGrpcServer({ status: 14, details: 'down' });
  const port = bad.port;
  const prober = createJudgedProber(exporterSpec({ endpoint: `127.0.0.1:${port}`, tls: { insecure: true } }));
  t.teardown(() => prober.close());
  const first = await prober.probe(probeContext());
  t.equal(first.problems[0]?.reason, 'unavailable');
  await bad.close();
  const refused = await prober.probe(probeContext());
  t.equal(refused.problems[0]?.reason, 'connection_refused');
});

t.test('a closed prober answers without probing', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const prober = createJudgedProber(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  prober.close();
  const r = await prober.probe(probeContext());
  t.equal(r.up, false);
  t.equal(s.calls.length, 0);
});
