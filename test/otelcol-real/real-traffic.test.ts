/**
 * The real collector's own outcomes joined with the probes: one collector, many exporters, each
 * behind a loopback backend that passes the probe's empty export and fails real batches in its
 * own way, and healthy controls beside them. otel-sentinel names each with the right cause from
 * the collector's internal metrics at `level: detailed`, and never a problem on a control.
 */
import t from 'tap';
import type { Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';
import { startBatchBackend } from '../helpers/collector/batch-backends.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { startFaultBackend } from '../helpers/collector/fault-backend.js';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.setTimeout(240_000);

const fastRetry = { timeout: '2s', retry_on_failure: { initial_interval: '100ms', max_interval: '200ms', max_elapsed_time: '1s' } };

t.test('real batches rejected, dropped for good, stalled: each named; the controls stay clean', async (t) => {
  const okGrpc = await startFaultBackend({ protocol: 'grpc' });
  t.teardown(() => okGrpc.close());
  const okHttp = await startFaultBackend({ protocol: 'http' });
  t.teardown(() => okHttp.close());
  const smallHttp = await startBatchBackend({ protocol: 'http', fault: 'too_large', maxBytes: 512 });
  t.teardown(() => smallHttp.close());
  const smallGrpc = await startBatchBackend({ protocol: 'grpc', fault: 'too_large', maxBytes: 512 });
  t.teardown(() => smallGrpc.close());
  const bad = await startBatchBackend({ protocol: 'http', fault: 'bad_request' });
  t.teardown(() => bad.close());
  const stall = await startBatchBackend({ protocol: 'grpc', fault: 'stall' });
  t.teardown(() => stall.close());
  const unauth = await startBatchBackend({ protocol: 'grpc', fault: 'unauthorized' });
  t.teardown(() => unauth.close());

  const collector = await startCollector({
    metricsLevel: 'detailed',
    queueSize: 1000,
    exporters: {
      'otlp/ok': { endpoint: okGrpc.endpoint, tls: { insecure: true }, ...fastRetry },
      'otlphttp/ok': { endpoint: okHttp.endpoint, ...fastRetry },
      'otlphttp/small': { endpoint: smallHttp.endpoint, compression: 'none', ...fastRetry },
      'otlp/small': { endpoint: smallGrpc.endpoint, tls: { insecure: true }, compression: 'none', ...fastRetry },
      'otlphttp/bad': { endpoint: bad.endpoint, ...fastRetry },
      'otlp/unauth': { endpoint: unauth.endpoint, tls: { insecure: true }, ...fastRetry },
      // a send hangs until this timeout: longer than the whole test
      'otlp/stall': { endpoint: stall.endpoint, tls: { insecure: true }, timeout: '600s', retry_on_failure: { enabled: false } },
    },
  });
  t.teardown(() => collector.stop());

  const sentinel = await startSentinelBeside(collector, { interval: '2s', timeout: '1500ms' });
  t.teardown(() => sentinel.stop());
  const diagnosis = async (): Promise<Diagnosis> => (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json() as Promise<Diagnosis>;

  // the controls are watched for the whole run: any problem on them at any time is a false alarm
  const falseAlarms: string[] = [];
  const watchControls = (d: Diagnosis): void => {
    for (const e of d.exporters) {
      if ((e.name === 'otlp/ok' || e.name === 'otlphttp/ok') && e.problems.length > 0) {
        falseAlarms.push(`${e.name}: ${e.problems.map((p) => p.reason).join(', ')}`);
      }
    }
    if (d.collector.problems.some((p) => p.reason === 'data_refused')) falseAlarms.push('collector: data_refused');
  };

  // before any load: the probes pass everywhere but on the stalled backend, nothing flows
  await waitFor('every exporter probed once', async () => {
    const d = await diagnosis();
    watchControls(d);
    return d.exporters.every((e) => e.checked_at !== null) ? true : undefined;
  }, { timeoutMs: 60_000 });
  const quiet = await diagnosis();
  for (const name of ['otlphttp/small', 'otlp/small', 'otlphttp/bad', 'otlp/unauth']) {
    t.equal(quiet.exporters.find((e) => e.name === name)?.up, true, `${name}: the probe's empty export is accepted`);
  }

  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 40, intervalMs: 100 });
  t.teardown(() => load.stop());

  const wanted: Record<string, (e: ExporterDiagnosis) => boolean> = {
    // the OTLP exporters take 413, and RESOURCE_EXHAUSTED without RetryInfo, as permanent
    'otlphttp/small': (e) => e.problems.some((p) => p.cause === 'backend' && p.reason === 'exports_dropped_permanently'),
    'otlp/small': (e) => e.problems.some((p) => p.cause === 'backend' && p.reason === 'exports_dropped_permanently'),
    'otlphttp/bad': (e) => e.problems.some((p) => p.reason === 'exports_dropped_permanently'),
    'otlp/stall': (e) => e.problems.some((p) => p.reason === 'exports_stalled'),
    'otlp/unauth': (e) => e.problems.some((p) => p.cause === 'auth' && p.reason === 'exports_unauthorized'),
  };
  let last: Diagnosis = quiet;
  await waitFor('otel-sentinel to name every faulty exporter', async () => {
    last = await diagnosis();
    watchControls(last);
    const byName = new Map(last.exporters.map((e) => [e.name, e]));
    return Object.entries(wanted).every(([n, ok]) => byName.get(n) && ok(byName.get(n)!)) ? true : undefined;
  }, { timeoutMs: 90_000 }).catch(() => {});
  const byName = new Map(last.exporters.map((e) => [e.name, e]));
  const show = (n: string): string => JSON.stringify({ problems: byName.get(n)?.problems.map((p) => p.reason), traffic: byName.get(n)?.traffic });

  const smallHttpE = byName.get('otlphttp/small')!;
  t.ok(wanted['otlphttp/small']!(smallHttpE), `HTTP 413 on real batches: a backend problem (${show('otlphttp/small')})`);
  t.ok((smallHttpE.traffic?.failed_per_second ?? 0) > 0, 'its failures are in the traffic');
  t.ok((smallHttpE.traffic?.error_types.length ?? 0) > 0, 'with their error type, at level detailed');
  t.ok((smallHttpE.traffic?.lost_per_second ?? 0) > 0, 'data is being lost now');

  const smallGrpcE = byName.get('otlp/small')!;
  t.ok(wanted['otlp/small']!(smallGrpcE), `gRPC RESOURCE_EXHAUSTED on real batches: a backend problem (${show('otlp/small')})`);
  t.ok(smallGrpcE.traffic?.error_types.some((x) => x.error_type === 'ResourceExhausted'), 'error type ResourceExhausted');
  t.match(smallGrpcE.problems.find((p) => p.reason.startsWith('exports_'))?.message ?? '', 'ResourceExhausted');

  const badE = byName.get('otlphttp/bad')!;
  t.ok(wanted['otlphttp/bad']!(badE), `HTTP 400 on every real batch: dropped permanently (${show('otlphttp/bad')})`);
  t.equal(badE.state, 'down', 'critical at once');
  t.ok(badE.traffic?.error_types.some((x) => x.permanent === true), 'error_permanent is read');

  const unauthE = byName.get('otlp/unauth')!;
  t.ok(wanted['otlp/unauth']!(unauthE), `UNAUTHENTICATED on real batches: an auth problem (${show('otlp/unauth')})`);
  t.notOk(unauthE.problems.some((p) => p.cause === 'backend'), 'not blamed on the backend');

  const stallE = byName.get('otlp/stall')!;
  t.ok(wanted['otlp/stall']!(stallE), `a backend that never answers: data stopped flowing (${show('otlp/stall')})`);
  t.equal(stallE.traffic?.sent_per_second, 0, 'nothing sent');

  for (const n of ['otlp/ok', 'otlphttp/ok']) {
    const e = byName.get(n)!;
    t.equal(e.state, 'up', `${n}: the control is up`);
    t.ok((e.traffic?.sent_per_second ?? 0) > 0, `${n}: its real traffic flows (${JSON.stringify(e.traffic)})`);
    t.equal(e.traffic?.lost_per_second, 0, `${n}: nothing lost`);
  }

  // the status page and the metric carry the same
  const page = await (await fetch(`${sentinel.url}/`)).text();
  t.match(page, /Traffic/, 'the status page shows the real traffic');
  // a rate between two collector scrapes: one interval may see no new drop, so wait for one that does
  const lost = /otel_sentinel_exporter_data_lost_per_second\{exporter="otlphttp\/bad"\} [1-9]/;
  const metrics = await waitFor('data lost on /metrics', async () => {
    const text = await (await fetch(sentinel.metricsUrl)).text();
    return lost.test(text) ? text : undefined;
  }, { timeoutMs: 30_000 });
  t.match(metrics, lost, 'data lost, as a metric');

  t.same(falseAlarms, [], 'no false alarm on a healthy control, ever');
  await load.stop();
});

t.test('a memory limiter at a low limit under load: data refused at the door, a resources problem', async (t) => {
  const ok = await startFaultBackend({ protocol: 'grpc' });
  t.teardown(() => ok.close());
  const collector = await startCollector({
    // a soft limit (limit - spike) of 1 MiB: below any collector's heap, so it refuses from the start
    processors: { memory_limiter: { check_interval: '100ms', limit_mib: 2, spike_limit_mib: 1 }, batch: { timeout: '100ms' } },
    exporters: { 'otlp/ok': { endpoint: ok.endpoint, tls: { insecure: true }, ...fastRetry } },
  });
  t.teardown(() => collector.stop());
  const sentinel = await startSentinelBeside(collector, { interval: '2s', timeout: '1500ms' });
  t.teardown(() => sentinel.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 40, intervalMs: 100 });
  t.teardown(() => load.stop());
  let d: Diagnosis | null = null;
  await waitFor('the collector to refuse data and otel-sentinel to say so', async () => {
    d = (await (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json()) as Diagnosis;
    return d.collector.problems.some((p) => p.reason === 'data_refused') ? true : undefined;
  }, { timeoutMs: 60_000 }).catch(() => {});
  const got = d as Diagnosis | null;
  t.ok(load.refused() > 0, `the load generator sees refusals (${load.refused()} spans)`);
  const p = got?.collector.problems.find((x) => x.reason === 'data_refused');
  t.match(p, { cause: 'resources', severity: 'critical' }, `data_refused on the collector (${JSON.stringify(got?.collector.problems.map((x) => x.reason))})`);
  t.match(p?.message ?? '', /the memory limiter [1-9][\d.]*\/s/, 'the memory limiter is named with its rate');
  t.equal(got?.collector.state, 'down');
  const e = got?.exporters.find((x) => x.name === 'otlp/ok');
  t.same(e?.problems.map((x) => x.reason), [], 'the exporter itself is fine: nothing is blamed on it');
  await load.stop();
});

t.test('below level detailed: real batches rejected, and the level that would name the error', async (t) => {
  const small = await startBatchBackend({ protocol: 'http', fault: 'too_large', maxBytes: 512 });
  t.teardown(() => small.close());
  const collector = await startCollector({
    metricsLevel: 'normal',
    exporters: { 'otlphttp/small': { endpoint: small.endpoint, compression: 'none', ...fastRetry } },
  });
  t.teardown(() => collector.stop());
  const sentinel = await startSentinelBeside(collector, { interval: '2s', timeout: '1500ms' });
  t.teardown(() => sentinel.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 40, intervalMs: 100 });
  t.teardown(() => load.stop());
  let e: ExporterDiagnosis | undefined;
  await waitFor('exports_rejected', async () => {
    const d = (await (await fetch(`${sentinel.url}/api/v1/diagnosis`)).json()) as Diagnosis;
    e = d.exporters.find((x) => x.name === 'otlphttp/small');
    return e?.problems.some((p) => p.reason === 'exports_rejected') ? true : undefined;
  }, { timeoutMs: 60_000 }).catch(() => {});
  const p = e?.problems.find((x) => x.reason === 'exports_rejected');
  t.match(p, { cause: 'backend', severity: 'critical' }, `exports_rejected (${JSON.stringify(e?.problems.map((x) => x.reason))})`);
  t.match(p?.message ?? '', 'set it to `detailed` to see the error type');
  t.equal(e?.up, true, "the probe's empty export still passes");
  t.same(e?.traffic?.error_types, [], 'no error type below detailed');
  await load.stop();
});
