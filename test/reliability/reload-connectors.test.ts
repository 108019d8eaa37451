import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer } from '../helpers/servers.js';
import { configDir, sample, startInProcess, waitFor } from '../helpers/reliability-harness.js';

const RELOAD_OK = 'otel_sentinel_config_last_reload_successful';

/**
 * A connector added while the daemon runs (spanmetrics between a traces and a metrics pipeline,
 * with a metrics-only backend behind it) is a config the collector runs: the reload is applied,
 * and the new exporter is probed with the signal it carries.
 */
t.test('a reload that adds a connector is applied, not rejected', async (t) => {
  const traces = await startHttpServer();
  const metrics = await startHttpServer({ path: '/api/v1/otlp/v1/metrics' });
  t.teardown(() => Promise.all([traces.close(), metrics.close()]));
  const cfg = configDir(t, 'sentinel-connector-');
  cfg.writeCollector({ 'otlphttp/traces': { endpoint: `http://127.0.0.1:${traces.port}` } });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await waitFor('otlphttp/traces up', async () => ((await d.exporter('otlphttp/traces'))?.up ? true : undefined));

  writeFileSync(
    cfg.collector,
    `
receivers:
  otlp: { protocols: { grpc: {} } }
connectors:
  spanmetrics: {}
exporters:
  otlphttp/traces: { endpoint: "http://127.0.0.1:${traces.port}" }
  otlphttp/prom: { endpoint: "http://127.0.0.1:${metrics.port}/api/v1/otlp" }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [otlphttp/traces, spanmetrics] }
    metrics: { receivers: [spanmetrics], exporters: [otlphttp/prom] }
`,
  );
  const prom = await waitFor('otlphttp/prom up after the reload', async () => {
    const e = await d.exporter('otlphttp/prom');
    return e?.up ? e : undefined;
  });
  t.match(prom, { signal: 'metrics', signals: ['metrics'], problems: [] });
  t.ok(metrics.requests.some((r) => r.url === '/api/v1/otlp/v1/metrics'), 'the metrics URL was probed');
  t.equal(sample(await d.metrics(), RELOAD_OK), 1, 'the reload succeeded');
  t.notOk(d.logs.some((r) => r.level === 'error' && r.msg.startsWith('configuration rejected')), 'nothing rejected');
  t.notOk(d.daemon.monitor.diagnosis().exporters.some((e) => e.name === 'spanmetrics'), 'the connector is no exporter');
});

t.test('a file that a ${file:} value was read from is watched: its change is applied', async (t) => {
  const [a, b] = [await startHttpServer(), await startHttpServer()];
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const cfg = configDir(t, 'sentinel-file-ref-');
  const endpointFile = join(cfg.dir, 'endpoint');
  writeFileSync(endpointFile, `http://127.0.0.1:${a.port}`);
  cfg.writeCollector({ 'otlphttp/from-file': { endpoint: `\${file:${endpointFile}}` } });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await waitFor('probed at the first endpoint', async () => ((await d.exporter('otlphttp/from-file'))?.up && a.requests.length > 0 ? true : undefined));
  writeFileSync(endpointFile, `http://127.0.0.1:${b.port}`);
  const e = await waitFor('the new endpoint in force', async () => {
    const x = await d.exporter('otlphttp/from-file');
    return x?.endpoint === `http://127.0.0.1:${b.port}` && x.up ? x : undefined;
  });
  t.match(e.value_sources, [{ key: 'endpoint', from: 'file' }]);
  t.ok(b.requests.length > 0, 'the second backend is probed');
});
