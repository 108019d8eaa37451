/**
 * No false alarm on a healthy pipeline: the real collector at `level: detailed` with the exporters
 * people run (OTLP/gRPC and OTLP/HTTP, plaintext and TLS with an authorization header, slow
 * backends, backends that now and then answer a retryable 503 / UNAVAILABLE, a batch that flushes
 * every 5 s to a backend slower than a second, an idle logs pipeline) under steady span load, and
 * otel-sentinel beside it every 2 s. Every diagnosis for 45 s: no problem, every exporter up,
 * the collector up, nothing lost. The long run of the same is `npm run soak -- --healthy`.
 */
import t from 'tap';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { HEALTHY_TOKEN, startHealthyPipeline, sumFamily, violations } from '../../bench/healthy-pipeline.js';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.setTimeout(150_000);

const RUN_MS = 45_000;

t.test('a healthy pipeline under load: no problem in any diagnosis', async (t) => {
  const pipeline = await startHealthyPipeline({ metricsLevel: 'detailed' });
  t.teardown(() => pipeline.close());
  const sentinel = await startSentinelBeside(pipeline.collector, { interval: '2s', timeout: '1500ms' });
  t.teardown(() => sentinel.stop());
  const diagnosis = async (): Promise<Diagnosis> => (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json() as Promise<Diagnosis>;
  await waitFor('every exporter probed and the traffic read', async () => {
    const d = await diagnosis();
    return d.exporters.every((e) => e.checked_at !== null && e.traffic?.sent_per_second != null) ? true : undefined;
  }, { timeoutMs: 60_000 });

  const seen = new Set<string>();
  const alarms: string[] = [];
  const start = Date.now();
  let withTraffic = 0;
  while (Date.now() - start < RUN_MS) {
    const d = await diagnosis();
    if (!seen.has(d.checked_at)) {
      seen.add(d.checked_at);
      if (d.exporters.some((e) => (e.traffic?.sent_per_second ?? 0) > 0)) withTraffic++;
      for (const v of violations(d)) alarms.push(`${((Date.now() - start) / 1000).toFixed(1)} s: ${v}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const metrics = await pipeline.collector.metrics();
  t.same(alarms, [], 'no problem, every exporter up, the collector up, nothing lost, in every diagnosis');
  t.ok(seen.size >= 10, `diagnoses judged: ${seen.size}, ${withTraffic} with real traffic flowing`);
  t.ok(withTraffic >= 10, 'the traffic was read in them');

  // the run was what it claims: data flowed, the flaky backends' errors were retried into success
  t.ok(pipeline.load.accepted() > 0 && pipeline.load.refused() === 0, `spans accepted by the receiver: ${pipeline.load.accepted()}, none refused`);
  for (const name of ['otlp/flaky', 'otlphttp/flaky']) {
    const c = pipeline.backends.get(name)!.counts();
    t.ok(c.retryable > 0, `${name}: the backend answered ${c.retryable} batches with a retryable error`);
    t.ok(sumFamily(metrics, 'otelcol_exporter_sent_spans', (l) => l.includes(`exporter="${name}"`)) > 0, `${name}: the collector counts them as sent`);
  }
  t.equal(sumFamily(metrics, 'otelcol_exporter_send_failed_spans'), 0, 'the collector counts no failed send');
  for (const name of ['otlp/tls', 'otlphttp/tls']) {
    const c = pipeline.backends.get(name)!.counts();
    t.ok(c.accepted > 0 && c.empty > 0, `${name}: real batches and the probes' empty exports reach it over TLS with the header`);
    t.equal(c.unauthorized, 0, `${name}: never without the header`);
  }
  t.ok(pipeline.backends.get('otlp/sparse')!.counts().accepted > 0, 'the sparse pipeline delivered');
  t.notMatch(sentinel.log(), HEALTHY_TOKEN.slice('Bearer '.length), "the header's secret is not in otel-sentinel's log");
  const page = await (await fetch(`${sentinel.url}/`)).text();
  t.notMatch(page, HEALTHY_TOKEN.slice('Bearer '.length), 'nor on its status page');
});
