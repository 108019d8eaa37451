import tap from 'tap';
import { collectorYaml, probesOf, sample, seriesOf, waitFor } from '../helpers/reliability-harness.js';

tap.test('sample, seriesOf and probesOf read Prometheus text', async (t) => {
  const text = [
    '# HELP otel_sentinel_probes_total Probes run.',
    'otel_sentinel_probes_total{exporter="otlp/a",result="success"} 7',
    'otel_sentinel_probes_total{exporter="otlp/a",result="failure"} 2',
    'otel_sentinel_exporter_up{exporter="otlp/ab"} 1',
    'otel_sentinel_config_last_reload_successful 0',
  ].join('\n');
  t.equal(sample(text, 'otel_sentinel_probes_total', { exporter: 'otlp/a', result: 'failure' }), 2);
  t.equal(sample(text, 'otel_sentinel_config_last_reload_successful'), 0);
  t.equal(sample(text, 'otel_sentinel_exporter_up', { exporter: 'otlp/a' }), undefined, 'labels match whole values');
  t.equal(probesOf(text, 'otlp/a'), 9);
  t.same(seriesOf(text, 'otlp/ab'), ['otel_sentinel_exporter_up{exporter="otlp/ab"} 1']);
});
tap.test('waitFor returns the first defined value and names what it waited for on timeout', async (t) => {
  let n = 0;
  t.equal(await waitFor('three calls', () => (++n === 3 ? n : undefined)), 3);
  await t.rejects(waitFor('never', () => undefined, 200), /timed out after 200 ms waiting for never/);
});
tap.test('collectorYaml puts every exporter in the traces pipeline', async (t) => {
  const doc = JSON.parse(collectorYaml({ 'otlp/a': {}, 'otlp/b': {} }, { service: { extensions: ['x'] } }));
  t.same(doc.service, { extensions: ['x'], pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp/a', 'otlp/b'] } } });
});
