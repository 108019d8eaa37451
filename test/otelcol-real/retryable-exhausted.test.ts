/**
 * A gRPC backend that answers RESOURCE_EXHAUSTED with a RetryInfo (a quota: "retry after 1 s"),
 * which the collector's OTLP exporter retries, on the real collector: one backend that does so
 * for a while and then takes the data, one that never stops. What the collector counts, and what
 * otel-sentinel says of each: never a permanent drop; the one that recovers ends with no problem;
 * the one whose retries run out is a backend problem with the error type named.
 */
import t from 'tap';
import type { Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';
import { startHealthyBackend } from '../../bench/healthy-backends.js';
import { sumFamily } from '../../bench/healthy-pipeline.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.setTimeout(180_000);

t.test('RESOURCE_EXHAUSTED with RetryInfo: retried by the collector, never called permanent', async (t) => {
  // the first 10 real batches are throttled, then the quota frees up
  const recovers = await startHealthyBackend({ protocol: 'grpc', exhaustedBatches: 10, retryAfterSeconds: 1 });
  t.teardown(() => recovers.close());
  const forever = await startHealthyBackend({ protocol: 'grpc', exhaustedBatches: Number.MAX_SAFE_INTEGER, retryAfterSeconds: 1 });
  t.teardown(() => forever.close());
  const collector = await startCollector({
    metricsLevel: 'detailed',
    queueSize: 1000,
    exporters: {
      'otlp/recovers': { endpoint: recovers.endpoint, tls: { insecure: true }, retry_on_failure: { initial_interval: '200ms', max_interval: '1s', max_elapsed_time: '60s' } },
      // its retries give up after 3 s: each batch ends as a failure
      'otlp/quota': { endpoint: forever.endpoint, tls: { insecure: true }, retry_on_failure: { initial_interval: '200ms', max_interval: '1s', max_elapsed_time: '3s' } },
    },
  });
  t.teardown(() => collector.stop());
  const sentinel = await startSentinelBeside(collector, { interval: '1s', timeout: '800ms' });
  t.teardown(() => sentinel.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 20, intervalMs: 200 });
  t.teardown(() => load.stop());

  const reasons = new Map<string, Set<string>>();
  const seenOn = (d: Diagnosis): void => {
    for (const e of d.exporters) for (const p of e.problems) {
      const s = reasons.get(e.name) ?? new Set<string>();
      s.add(`${p.severity} ${p.cause} ${p.reason}`);
      reasons.set(e.name, s);
    }
  };
  let quota: ExporterDiagnosis | undefined;
  let recovered: ExporterDiagnosis | undefined;
  await waitFor('the throttled exporter to recover and the other to be named', async () => {
    const d = (await (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json()) as Diagnosis;
    seenOn(d);
    quota = d.exporters.find((e) => e.name === 'otlp/quota');
    recovered = d.exporters.find((e) => e.name === 'otlp/recovers');
    const named = quota?.problems.some((p) => p.reason === 'exports_rejected');
    const clean = recovers.counts().accepted > 20 && recovered?.state === 'up' && (recovered.traffic?.sent_per_second ?? 0) > 0;
    return named && clean ? true : undefined;
  }, { timeoutMs: 90_000 }).catch(() => {});
  await load.stop();
  const metrics = await collector.metrics();
  const only = (name: string) => (line: string): boolean => line.includes(`exporter="${name}"`);

  // what the collector counts: the throttled batches that were retried into success count as sent
  t.equal(recovers.counts().retryable, 10, 'the recovering backend throttled 10 batches');
  t.ok(recovers.counts().accepted > 10, `and took the rest (${recovers.counts().accepted} batches)`);
  t.equal(sumFamily(metrics, 'otelcol_exporter_send_failed_spans', only('otlp/recovers')), 0, 'the collector counts no failed send for it');
  t.ok(sumFamily(metrics, 'otelcol_exporter_sent_spans', only('otlp/recovers')) > 0, 'it counts them as sent');
  // the one that never recovers: failed once its retries run out, retryable, of type ResourceExhausted
  t.ok(forever.counts().retryable > forever.counts().accepted, 'the other backend throttles every batch');
  const failedLines = metrics.split('\n').filter((l) => l.startsWith('otelcol_exporter_send_failed_spans') && only('otlp/quota')(l));
  t.ok(failedLines.length > 0, 'the collector counts failed sends for it');
  for (const l of failedLines) {
    t.match(l, /error_type="ResourceExhausted"/, 'error type ResourceExhausted');
    t.match(l, /error_permanent="false"/, 'not permanent: it was retried');
  }

  // what otel-sentinel says
  t.match(quota?.problems.find((p) => p.reason === 'exports_rejected'), { cause: 'backend' }, `a backend problem (${JSON.stringify(quota?.problems)})`);
  t.match(quota?.problems.find((p) => p.reason === 'exports_rejected')?.message ?? '', 'error type ResourceExhausted, retryable');
  t.match(quota?.problems.find((p) => p.reason === 'exports_rejected')?.fix ?? '', /throttles .* its retries ran out/, 'the fix is about the quota');
  t.equal(quota?.up, true, "the probe's empty export still passes");
  t.ok(quota?.traffic?.error_types.every((e) => e.permanent === false), 'the traffic says retryable');
  t.equal(recovered?.state, 'up', `the recovered exporter ends up (${JSON.stringify(recovered?.problems)})`);
  t.same(recovered?.problems, [], 'with no problem');
  for (const [name, s] of reasons) {
    t.notOk([...s].some((r) => r.includes('exports_dropped_permanently')), `${name}: never called permanent (${[...s].join(', ')})`);
  }
  t.notOk([...(reasons.get('otlp/recovers') ?? [])].some((r) => r.startsWith('critical')), `the recovering exporter never raised a critical (${[...(reasons.get('otlp/recovers') ?? [])].join(', ')})`);
});
