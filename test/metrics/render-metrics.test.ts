import t from 'tap';
import { Counter, Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render-metrics.js';
import { fixtureDiagnosis } from '../helpers/diagnosis-fixture.js';

t.test('OpenMetrics: counter families without _total, samples with it, # EOF at the end', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  m.update(fixtureDiagnosis());
  m.recordProbe('otlp/tempo', true);
  const om = await renderMetrics(registry, 'openmetrics');
  t.match(om, '# TYPE otel_sentinel_probes counter\n');
  t.match(om, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 1\n');
  t.match(om, '# TYPE otel_sentinel_collector_oom_kills counter\notel_sentinel_collector_oom_kills_total 1\n');
  t.match(om, '# TYPE otel_sentinel_exporter_up gauge\n');
  t.match(om, 'otel_sentinel_exporter_queue_seconds_to_full{exporter="otlphttp/honeycomb"} +Inf\n');
  t.notMatch(om, /_total_total/);
  t.ok(om.endsWith('\n# EOF\n') || om.endsWith('# EOF\n'), 'ends with # EOF');
  t.equal(om.match(/^# EOF$/gm)?.length, 1, 'exactly one # EOF');

  // Rendering OpenMetrics must not change what the Prometheus format says afterwards.
  const text = await renderMetrics(registry, 'prometheus');
  t.match(text, '# TYPE otel_sentinel_probes_total counter\n');
  t.match(text, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 1\n');
  t.notMatch(text, '# EOF');
});

t.test('cached text follows every change, and families read at scrape time stay live', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  m.update(fixtureDiagnosis());
  const first = await renderMetrics(registry, 'prometheus');
  t.match(first, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 0\n');
  m.recordProbe('otlp/tempo', true);
  t.match(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 1\n');
  t.match(await renderMetrics(registry, 'openmetrics'), 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 1\n');
  m.recordProbe('otlp/tempo', true);
  t.match(await renderMetrics(registry, 'openmetrics'), 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"} 2\n');

  // A family registered by someone else (not versioned) is rendered fresh on every scrape.
  const other = new Counter({ name: 'other_things_total', help: 'things', registers: [registry] });
  t.match(await renderMetrics(registry, 'prometheus'), 'other_things_total 0\n');
  other.inc(5);
  t.match(await renderMetrics(registry, 'prometheus'), 'other_things_total 5\n');
});

t.test('label values and help text are escaped in both formats', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: 'v"1"\\2\n' });
  m.update(fixtureDiagnosis({ exporters: [] }));
  t.match(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_build_info{version="v\\"1\\"\\\\2\\n"} 1\n');
  t.match(await renderMetrics(registry, 'openmetrics'), 'otel_sentinel_build_info{version="v\\"1\\"\\\\2\\n"} 1\n');
});
