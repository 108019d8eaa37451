import t from 'tap';
import { Registry } from 'prom-client';
import { PLAIN, renderReport } from '../../src/views/check-report.js';
import { PHASES } from '../../src/diagnose/diagnosis.js';
import { PROTOCOLS } from '../../src/config/protocols.js';
import { statusView } from '../../src/views/status-view.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render-metrics.js';
import { fixtureDiagnosis, healthyExporter } from '../helpers/diagnosis-fixture.js';
import { trafficText } from '../../src/collector/traffic.js';

// the fixture's queue-filling exporter (otlp/jaeger) carries the collector's real traffic:
// 120.4 sent/s, 30 failed/s as ResourceExhausted (retryable), 30 lost/s, 4 in flight

t.test('check shows the real traffic beside the probe, only where it is known', async (t) => {
  const text = renderReport(fixtureDiagnosis(), PLAIN);
  t.match(text, "collector's real traffic: sent 120/s · failed 30/s · ResourceExhausted 30/s · lost 30/s · 4 in flight");
  t.equal(text.split("collector's real traffic").length - 1, 1, 'exporters without traffic have no such line');
});

t.test('the status page shows it, escaped', async (t) => {
  const hostile = healthyExporter({
    name: 'otlp/x',
    traffic: { sent_per_second: 2.25, failed_per_second: 0, enqueue_failed_per_second: 0, lost_per_second: 0, error_types: [{ error_type: '<b>x</b>', permanent: true, per_second: 0.5 }], in_flight: null },
  });
  const html = statusView(PHASES, PROTOCOLS).renderApp(fixtureDiagnosis({ exporters: [hostile, ...fixtureDiagnosis().exporters] }), Date.parse('2026-11-23T20:00:00Z'), null);
  t.match(html, 'sent 120/s · failed 30/s · ResourceExhausted 30/s · lost 30/s · 4 in flight');
  t.match(html, 'sent 2.3/s · failed 0/s · &lt;b&gt;x&lt;/b&gt; (permanent) 0.5/s');
  t.notMatch(html, '<b>x</b>');
});

t.test('otel_sentinel_exporter_data_lost_per_second: one series per exporter whose traffic is known', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  m.update(fixtureDiagnosis());
  const text = await renderMetrics(registry, 'prometheus');
  const lines = text.split('\n').filter((l) => l.startsWith('otel_sentinel_exporter_data_lost_per_second{'));
  t.same(lines, ['otel_sentinel_exporter_data_lost_per_second{exporter="otlp/jaeger"} 30']);
});

t.test('the status page and check write the traffic in the same words', async (t) => {
  const d = fixtureDiagnosis();
  const html = statusView(PHASES, PROTOCOLS).renderApp(d, Date.parse('2026-11-23T20:00:00Z'), null);
  for (const e of d.exporters) {
    if (!e.traffic) continue;
    t.ok(html.includes(trafficText(e.traffic)), `${e.name}: ${trafficText(e.traffic)}`);
    const sparse = { ...e.traffic, sent_per_second: null, in_flight: null, lost_per_second: null, error_types: [] };
    const one = statusView(PHASES, PROTOCOLS).renderApp(fixtureDiagnosis({ exporters: [{ ...e, traffic: sparse }] }), Date.parse('2026-11-23T20:00:00Z'), null);
    t.ok(one.includes(trafficText(sparse)), `unknown figures: ${trafficText(sparse)}`);
  }
});
