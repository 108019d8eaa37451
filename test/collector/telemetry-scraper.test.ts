import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ScrapeInput } from '../../src/collector/telemetry-scraper.js';
import { createJudgedScraper } from '../helpers/judged.js';
import { exporterStats, type ExporterStats } from '../../src/collector/exporter-stats.js';
import { parsePrometheusText } from '../../src/collector/prometheus-text.js';
import { MAX_POINTS, QueueWindow } from '../../src/collector/queue-window.js';

interface ExporterFigures {
  queue?: Record<string, [size: number, capacity: number]>;
  sent?: number;
  sendFailed?: number;
  enqueueFailed?: number;
}

const SCOPE = 'otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_schema_url="",otel_scope_version=""';

/** A page in the shape a collector (0.11x, Prometheus pull reader) serves at :8888/metrics. */
function collectorPage(exporters: Record<string, ExporterFigures>): string {
  const out: string[] = [
    '# HELP otelcol_process_uptime_seconds_total Uptime of the process [alpha]',
    '# TYPE otelcol_process_uptime_seconds_total counter',
    'otelcol_process_uptime_seconds_total{otel_scope_name="go.opentelemetry.io/collector/service",otel_scope_schema_url="",otel_scope_version=""} 1234.5',
  ];
  const family = (name: string, type: string, help: string, rows: string[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
  };
  const entries = Object.entries(exporters);
  family('otelcol_exporter_queue_capacity', 'gauge', 'Fixed capacity of the retry queue (in batches). [Alpha]',
    entries.flatMap(([n, f]) => Object.entries(f.queue ?? {}).map(([dt, [, c]]) => `otelcol_exporter_queue_capacity{data_type="${dt}",exporter="${n}",${SCOPE}} ${c}`)));
  family('otelcol_exporter_queue_size', 'gauge', 'Current size of the retry queue (in batches). [Alpha]',
    entries.flatMap(([n, f]) => Object.entries(f.queue ?? {}).map(([dt, [s]]) => `otelcol_exporter_queue_size{data_type="${dt}",exporter="${n}",${SCOPE}} ${s}`)));
  const counter = (name: string, help: string, pick: (f: ExporterFigures) => number | undefined): void =>
    family(name, 'counter', help, entries.filter(([, f]) => pick(f) !== undefined).map(([n, f]) => `${name}{exporter="${n}",${SCOPE}} ${pick(f)}`));
  counter('otelcol_exporter_sent_spans_total', 'Number of spans successfully sent to destination. [Alpha]', (f) => f.sent);
  counter('otelcol_exporter_send_failed_spans_total', 'Number of spans in failed attempts to send to destination. [Alpha]', (f) => f.sendFailed);
  counter('otelcol_exporter_enqueue_failed_spans_total', 'Number of spans failed to be added to the sending queue. [Alpha]', (f) => f.enqueueFailed);
  return `${out.join('\n')}\n`;
}

async function metricsServer(t: Test, handler: () => { status?: number; body: string }): Promise<string> {
  const server: Server = createServer((req, res) => {
    const r = handler();
    res.writeHead(r.status ?? 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(r.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);

t.test('a growing queue, then a full one dropping data', async (t) => {
  let page = '';
  const url = await metricsServer(t, () => ({ body: page }));
  let clock = 1_000_000;
  const scraper = createJudgedScraper({ now: () => clock });
  const input: ScrapeInput = { url, exporters: ['otlp/tempo', 'otlphttp/backup'], probeUp: new Map([['otlp/tempo', false]]), queueRatio: 0.7 };
  const at = (size: number, enqueueFailed = 0): string =>
    collectorPage({ 'otlp/tempo': { queue: { traces: [size, 1000] }, sent: 5000, sendFailed: 0, enqueueFailed }, 'otlphttp/backup': { queue: { traces: [0, 1000] }, sent: 10 }, debug: { sent: 99 } });

  page = at(100);
  const s1 = await scraper.scrape(input, signal());
  t.equal(s1.ok, true);
  t.same(s1.problems, []);
  t.same(s1.queues.get('otlp/tempo'), { size: 100, capacity: 1000, sizer: 'requests', unit: 'requests', seconds_to_full: null, problems: [] }, 'one point: no rate yet');
  t.same([...s1.queues.keys()], ['otlp/tempo', 'otlphttp/backup'], 'only the exporters asked for');

  page = at(400);
  clock += 15_000;
  const s2 = await scraper.scrape(input, signal());
  const q2 = s2.queues.get('otlp/tempo')!;
  t.equal(q2.size, 400);
  t.equal(q2.seconds_to_full, 30, '20 requests/s, 600 to go');
  t.same(q2.problems.map((p) => [p.reason, p.severity]), [['queue_near_capacity', 'warning']], 'full within 5 minutes, though only 40% full');
  t.match(q2.problems[0]!.message, 'holds 400 of 1000 requests (40%, threshold 70%); at the current rate it is full in 30s');
  t.match(q2.problems[0]!.fix, /exporters\.otlp\/tempo\.sending_queue\.num_consumers/);
  t.same(s2.queues.get('otlphttp/backup'), { size: 0, capacity: 1000, sizer: 'requests', unit: 'requests', seconds_to_full: null, problems: [] });

  page = at(1000, 250);
  clock += 15_000;
  const s3 = await scraper.scrape(input, signal());
  const q3 = s3.queues.get('otlp/tempo')!;
  t.equal(q3.seconds_to_full, 0);
  t.same(q3.problems.map((p) => [p.reason, p.severity]), [['queue_full', 'critical']]);
  t.match(q3.problems[0]!.message, 'is full (1000 of 1000 requests): 250 items could not be enqueued');

  page = at(500, 250);
  clock += 15_000;
  const s4 = await scraper.scrape(input, signal());
  t.same(s4.queues.get('otlp/tempo')!.problems, [], 'draining, no new drops: nothing to report');
});

t.test('the queue is told in the unit of its sending_queue.sizer: requests, items (per data type) or bytes', async (t) => {
  let page = '';
  const url = await metricsServer(t, () => ({ body: page }));
  let clock = 1_000_000;
  const scraper = createJudgedScraper({ now: () => clock });
  const input: ScrapeInput = {
    url,
    exporters: ['otlp/requests', 'otlp/items', 'otlp/items-logs', 'otlp/bytes', 'otlp/unknown'],
    probeUp: new Map(),
    queueRatio: 0.7,
    sizers: { 'otlp/requests': 'requests', 'otlp/items': 'items', 'otlp/items-logs': 'items', 'otlp/bytes': 'bytes' },
  };
  page = collectorPage({
    'otlp/requests': { queue: { traces: [800, 1000] } },
    'otlp/items': { queue: { traces: [8000, 10000] } },
    'otlp/items-logs': { queue: { logs: [8000, 10000] } },
    'otlp/bytes': { queue: { traces: [4 * 1024 * 1024, 5 * 1024 * 1024] } },
    'otlp/unknown': { queue: { '': [900, 1000] } },
  });
  const s = await scraper.scrape(input, signal());
  const q = (name: string) => s.queues.get(name)!;
  t.same([q('otlp/requests').sizer, q('otlp/requests').unit], ['requests', 'requests']);
  t.same([q('otlp/items').sizer, q('otlp/items').unit], ['items', 'spans'], 'items of a traces queue are spans');
  t.same([q('otlp/items-logs').sizer, q('otlp/items-logs').unit], ['items', 'log records']);
  t.same([q('otlp/bytes').sizer, q('otlp/bytes').unit], ['bytes', 'bytes']);
  t.same([q('otlp/unknown').sizer, q('otlp/unknown').unit], ['requests', 'requests'], 'no sizer known: the collector default');
  t.match(q('otlp/requests').problems[0]!.message, 'holds 800 of 1000 requests (80%');
  t.match(q('otlp/items').problems[0]!.message, 'holds 8000 of 10000 spans (80%');
  t.match(q('otlp/items-logs').problems[0]!.message, 'holds 8000 of 10000 log records (80%');
  t.match(q('otlp/bytes').problems[0]!.message, 'holds 4194304 of 5242880 bytes, 4.0 MiB of 5.0 MiB (80%');
  t.match(q('otlp/unknown').problems[0]!.message, 'holds 900 of 1000 requests (90%');
  for (const name of input.exporters) {
    t.notMatch(q(name).problems[0]!.message, /batches/, `${name}: no word of batches`);
    t.match(q(name).problems[0]!.fix, /counted in the unit of `sending_queue.sizer`/);
  }

  page = collectorPage({ 'otlp/bytes': { queue: { traces: [5 * 1024 * 1024, 5 * 1024 * 1024] }, enqueueFailed: 3 } });
  clock += 15_000;
  const full = (await scraper.scrape(input, signal())).queues.get('otlp/bytes')!;
  t.match(full.problems[0]!.message, 'is full (5242880 of 5242880 bytes, 5.0 MiB of 5.0 MiB)');
});

t.test('send failures while the probe says the backend is fine: the two disagree', async (t) => {
  let figures: Record<string, ExporterFigures> = {};
  const url = await metricsServer(t, () => ({ body: collectorPage(figures) }));
  const scraper = createJudgedScraper();
  const input: ScrapeInput = { url, exporters: ['otlp/tempo', 'otlp/other'], probeUp: new Map([['otlp/tempo', true], ['otlp/other', false]]), queueRatio: 0.7 };
  figures = { 'otlp/tempo': { sent: 100, sendFailed: 10 }, 'otlp/other': { sent: 50, sendFailed: 0 } };
  const s1 = await scraper.scrape(input, signal());
  t.same(s1.queues.get('otlp/tempo'), { size: null, capacity: null, sizer: 'requests', unit: 'requests', seconds_to_full: null, problems: [] }, 'no queue metrics (sending_queue off), first scrape');
  figures = { 'otlp/tempo': { sent: 100, sendFailed: 60 }, 'otlp/other': { sent: 80, sendFailed: 7 } };
  const s2 = await scraper.scrape(input, signal());
  const p = s2.queues.get('otlp/tempo')!.problems[0]!;
  t.equal(p.reason, 'exports_rejected', 'the probe passes, real sends fail');
  t.equal(p.cause, 'backend');
  t.equal(p.severity, 'critical', 'nothing got through');
  t.match(p.message, /exporter otlp\/tempo: the collector's own sends fail at \d+(\.\d)?\/s/);
  t.match(p.message, /set it to `detailed` to see the error type/, 'below detailed: which level would name the error');
  t.match(p.message, /rejects real batches/);
  t.match(p.fix, /Exporting failed/);
  const o = s2.queues.get('otlp/other')!.problems[0]!;
  t.equal(o.severity, 'warning', 'some still get through');
  t.match(o.message, /The probe fails as well/);
});

t.test('the metrics endpoint down, failing, oversized or not a metrics page', async (t) => {
  const scraper = createJudgedScraper({ maxBytes: 64 * 1024 });
  const base = { exporters: ['otlp'], probeUp: new Map<string, boolean>(), queueRatio: 0.7 };

  // a port nobody listens on: take one from a server we close again
  const tmp = createServer().listen(0, '127.0.0.1');
  await once(tmp, 'listening');
  const deadPort = (tmp.address() as AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
  const down = await scraper.scrape({ ...base, url: `http://127.0.0.1:${deadPort}/metrics` }, signal());
  t.equal(down.ok, false);
  t.equal(down.problems[0]?.reason, 'telemetry_unreachable');
  t.equal(down.problems[0]?.severity, 'warning');
  t.match(down.problems[0]?.message, `http://127.0.0.1:${deadPort}/metrics cannot be read: ECONNREFUSED`);
  t.match(down.problems[0]?.fix, /service\.telemetry\.metrics/);

  let reply: { status?: number; body: string } = { status: 500, body: 'boom' };
  const url = await metricsServer(t, () => reply);
  t.match((await scraper.scrape({ ...base, url }, signal())).problems[0]?.message, /HTTP 500/);
  reply = { body: '<html><body>Grafana</body></html>' };
  t.match((await scraper.scrape({ ...base, url }, signal())).problems[0]?.message, /not in the Prometheus text format \(line 1: /);
  reply = { body: 'go_goroutines 12\nprocess_cpu_seconds_total 3\n' };
  t.match((await scraper.scrape({ ...base, url }, signal())).problems[0]?.message, /none named otelcol_\*/);
  reply = { body: `otelcol_x 1\n${'# padding\n'.repeat(10_000)}` };
  t.match((await scraper.scrape({ ...base, url }, signal())).problems[0]?.message, /the answer is more than 64 KiB, the limit/, 'sent in chunks: read up to the limit, then given up');
  // the same with its length declared: refused before a byte of the body is read
  const declared = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(100_012) });
    res.end(`otelcol_x 1\n${'# padding\n'.repeat(10_000)}`);
  }).listen(0, '127.0.0.1');
  await once(declared, 'listening');
  t.teardown(() => new Promise<void>((resolve) => declared.close(() => resolve())));
  const declaredUrl = `http://127.0.0.1:${(declared.address() as AddressInfo).port}/metrics`;
  t.match((await scraper.scrape({ ...base, url: declaredUrl }, signal())).problems[0]?.message, /the answer is 100,012 bytes, over the limit of 64 KiB/);
  t.match((await scraper.scrape({ ...base, url: 'http://user:hunter22@127.0.0.1:1/metrics' }, signal())).problems[0]?.message, /REDACTED/);
  t.notMatch((await scraper.scrape({ ...base, url: 'http://user:hunter22@127.0.0.1:1/metrics' }, signal())).problems[0]?.message, /hunter22/);
  const off = await scraper.scrape({ ...base, url: '' }, signal());
  t.same([off.ok, off.problems], [false, []], 'turned off: no problem');
});

t.test('counters with or without _total, per data type, summed over other labels', async (t) => {
  const page = [
    'otelcol_exporter_sent_spans{exporter="otlp",service_instance_id="a"} 5',
    'otelcol_exporter_sent_spans{exporter="otlp",service_instance_id="b"} 7',
    'otelcol_exporter_send_failed_log_records_total{exporter="otlp"} 3',
    'otelcol_exporter_send_failed_log_records{exporter="otlp"} 3',
    'otelcol_exporter_sent_spans_created{exporter="otlp"} 1712000000',
    'otelcol_exporter_queue_size{data_type="traces",exporter="otlp"} 10',
    'otelcol_exporter_queue_capacity{data_type="traces",exporter="otlp"} 100',
    'otelcol_exporter_queue_size{data_type="logs",exporter="otlp"} 90',
    'otelcol_exporter_queue_capacity{data_type="logs",exporter="otlp"} 100',
  ].join('\n');
  const stats = exporterStats(parsePrometheusText(page).samples).get('otlp')!;
  t.equal(stats.sent, 12, 'summed over service_instance_id');
  t.equal(stats.sendFailed, 3, 'both spellings present: counted once');
  t.same(stats.queues.get('logs'), { size: 90, capacity: 100 });
  const view = new QueueWindow().observe(0, ['otlp'], new Map([['otlp', stats]])).get('otlp')!;
  t.equal(view.queue?.dataType, 'logs', 'the fullest queue speaks for the exporter');
});

t.test('a queue that starts to fill after being empty: the rate since it was last empty', async (t) => {
  const w = new QueueWindow();
  const at = (size: number): Map<string, ExporterStats> =>
    new Map([['a', { queues: new Map([['traces', { size, capacity: 1000 }]]), sent: 0, sendFailed: 0, enqueueFailed: 0 }]]);
  // four minutes empty, scraped every 15 s, then an outage: +100 per scrape
  let t0 = 0;
  for (; t0 < 240_000; t0 += 15_000) t.equal(w.observe(t0, ['a'], at(0)).get('a')!.queue!.secondsToFull, null, 'empty: no prediction');
  t.equal(w.observe(t0, ['a'], at(100)).get('a')!.queue!.secondsToFull, null, 'one point since empty: no rate yet');
  const q = w.observe(t0 + 15_000, ['a'], at(200)).get('a')!.queue!;
  t.equal(q.fillRate, 100 / 15, 'the rate since the fill began, not pulled down by the empty minutes');
  t.equal(q.secondsToFull, 120, '800 to go at 100 per 15 s');
  t.equal(w.observe(t0 + 30_000, ['a'], at(300)).get('a')!.queue!.secondsToFull, 105);
});

t.test('the window stays bounded and forgets exporters no longer watched', async (t) => {
  const w = new QueueWindow();
  const stats = (size: number): Map<string, ExporterStats> =>
    new Map(['a', 'b'].map((n) => [n, { queues: new Map([['traces', { size, capacity: 1000 }]]), sent: size, sendFailed: 0, enqueueFailed: 0 }]));
  for (let i = 0; i < 500; i++) w.observe(i * 1000, ['a', 'b'], stats(i));
  t.equal(w.size(), 2 * MAX_POINTS + 2, 'points capped per queue');
  w.observe(500_000, ['a'], stats(1));
  t.ok(w.size() <= MAX_POINTS + 1, 'b forgotten');
  const slow = new QueueWindow();
  for (let i = 0; i < 20; i++) slow.observe(i * 60_000, ['a'], stats(i));
  t.ok(slow.size() <= 7, 'points older than the window dropped');
  const rate = slow.observe(20 * 60_000, ['a'], stats(20)).get('a')!.queue!.fillRate;
  t.ok(rate !== null && Math.abs(rate - 1 / 60) < 1e-9, `rate per second (${rate})`);
  const counterReset = new QueueWindow();
  counterReset.observe(0, ['a'], stats(100));
  t.equal(counterReset.observe(1000, ['a'], stats(5)).get('a')!.deltas.sent, 5, 'a reset counts from zero');
});
