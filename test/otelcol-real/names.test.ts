/**
 * The real collector's metric names, both ways its Prometheus reader writes them, and exporter IDs
 * with today's type names and the deprecated aliases in one config: otel-sentinel reads the queue
 * and the send failures of every exporter right, whichever spelling the collector uses.
 */
import t from 'tap';
import { startCollector, type RunningCollector } from '../helpers/collector/collector-process.js';
import { startFaultBackend } from '../helpers/collector/fault-backend.js';
import { collectorView, fetchPage, parsePage } from '../helpers/collector/metrics-pages.js';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { closedPort } from '../helpers/servers.js';

t.setTimeout(300_000);

const fastRetry = { timeout: '2s', retry_on_failure: { initial_interval: '100ms', max_interval: '200ms', max_elapsed_time: '1s' } };

for (const reader of ['default', 'suffixed'] as const) {
  t.test(`${reader} reader: every exporter's queue and send failures are read`, async (t) => {
    const grpc = await startFaultBackend({ protocol: 'grpc' });
    t.teardown(() => grpc.close());
    const http = await startFaultBackend({ protocol: 'http' });
    t.teardown(() => http.close());
    const refused = await closedPort();
    const collector: RunningCollector = await startCollector({
      reader,
      queueSize: 50,
      exporters: {
        'otlp_grpc/a': { endpoint: grpc.endpoint, tls: { insecure: true }, ...fastRetry },
        'otlp_http/b': { endpoint: `http://127.0.0.1:${refused}`, ...fastRetry },
        'otlp/c': { endpoint: `127.0.0.1:${refused}`, tls: { insecure: true }, ...fastRetry },
        'otlphttp/d': { endpoint: http.endpoint, ...fastRetry },
      },
    });
    t.teardown(() => collector.stop());

    // the collector writes the names this reader is known for
    const page = await collector.metrics();
    const names = new Set(parsePage(page).map((s) => s.name));
    if (reader === 'default') {
      t.ok(names.has('otelcol_exporter_queue_size'), 'queue_size, no unit');
      t.notOk([...names].some((n) => n.startsWith('otelcol_') && n.endsWith('_total')), 'no _total suffix on otelcol_*');
    } else {
      t.ok(
        parsePage(page).some((s) => s.name.startsWith('otelcol_exporter_queue_size') && s.labels['otel_scope_name'] !== undefined),
        'otel_scope_* labels',
      );
    }

    const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 5, intervalMs: 100 });
    t.teardown(() => load.stop());
    const sentinel = await startSentinelBeside(collector, { interval: '2s', timeout: '1500ms' });
    t.teardown(() => sentinel.stop());

    const seen = await waitFor(
      'the collector to send through a and d and fail through b and c',
      async () => {
        const page = await collector.metrics();
        const v = collectorView(page);
        const ok = (id: string): boolean => (v.get(id)?.sent ?? 0) > 0;
        const failing = (id: string): boolean => (v.get(id)?.sendFailed ?? 0) > 0;
        return ok('otlp_grpc/a') && ok('otlphttp/d') && failing('otlp_http/b') && failing('otlp/c') ? page : undefined;
      },
      { timeoutMs: 60_000 },
    );
    if (reader === 'suffixed') {
      const sample = parsePage(seen).map((s) => s.name);
      t.ok(sample.includes('otelcol_exporter_sent_spans_total'), 'counters carry _total');
    } else t.ok(parsePage(seen).some((s) => s.name === 'otelcol_exporter_sent_spans'), 'counters without _total');

    // read until the picture is whole (a probe round may still be under way); asserted below
    let view = await sentinel.view();
    await waitFor(
      'otel-sentinel to see the failing sends of b and c and a and d up',
      async () => {
        view = await sentinel.view();
        const fails = (id: string): boolean => view.get(id)?.reasons.has('send_failing') === true;
        const up = (id: string): boolean => view.get(id)?.up === true && view.get(id)?.causes.size === 0;
        return fails('otlp_http/b') && fails('otlp/c') && up('otlp_grpc/a') && up('otlphttp/d') ? true : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch(() => {});
    for (const id of ['otlp_grpc/a', 'otlp_http/b', 'otlp/c', 'otlphttp/d']) {
      const v = view.get(id);
      t.not(v?.queueFillRatio ?? null, null, `${id}: the queue fill ratio is read`);
      t.ok(Number.isFinite(v?.queueFillRatio ?? NaN) && (v?.queueFillRatio ?? -1) >= 0, `${id}: a ratio`);
    }
    const own = parsePage(await fetchPage(sentinel.metricsUrl));
    t.equal(own.find((x) => x.name === 'otel_sentinel_collector_up')?.value, 1, 'the collector process is found by its name');
    t.equal(view.get('otlp_grpc/a')?.up, true, 'a is up');
    t.equal(view.get('otlphttp/d')?.up, true, 'd is up');
    t.same([...(view.get('otlp_grpc/a')?.causes ?? [])], [], 'a has no problem');
    t.same([...(view.get('otlphttp/d')?.causes ?? [])], [], 'd has no problem');
    t.equal(view.get('otlp_http/b')?.up, false, 'b is down');
    t.equal(view.get('otlp/c')?.up, false, 'c is down');
    t.ok(view.get('otlp/c')?.reasons.has('connection_refused'), 'c: connection refused');
    t.ok(view.get('otlp_http/b')?.reasons.has('connection_refused'), 'b: connection refused');
  });
}
