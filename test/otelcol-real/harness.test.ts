/**
 * The harness around the real collector: a config the collector refuses ends the start with its
 * own words, not with a timeout; the span load counts what the receiver takes.
 */
import t from 'tap';
import { startCollector } from '../helpers/collector/collector-process.js';
import { startSpanLoad, encodeSpans } from '../helpers/collector/span-load.js';
import { collectorView } from '../helpers/collector/metrics-pages.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.test('a config the collector refuses: the start fails with the collector log', async (t) => {
  await t.rejects(
    startCollector({ exporters: { 'otlp_grpc/a': { endpoint: '127.0.0.1:4317', no_such_key: true } } }),
    /exited[\s\S]*no_such_key/,
  );
});

t.test('spans sent by the load reach the exporter, counted by the collector', async (t) => {
  const collector = await startCollector({ exporters: { debug: { verbosity: 'basic' } } });
  t.teardown(() => collector.stop());
  t.match(collector.processName, /^otc-\d+-\d+$/);
  t.ok(collector.processName.length <= 15, 'all of it in the comm');
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 7, intervalMs: 50 });
  t.teardown(() => load.stop());
  const sent = await waitFor('the debug exporter to send 70 spans', async () => {
    const n = collectorView(await collector.metrics()).get('debug')?.sent ?? 0;
    return n >= 70 ? n : undefined;
  });
  t.equal(sent % 7, 0, 'whole requests of 7 spans');
  t.ok(load.accepted() >= 70, 'the receiver accepted them');
  t.equal(load.refused(), 0, 'none refused');
  t.ok(encodeSpans(3).length > 3 * 40, 'three spans encoded');
});
