import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ScrapeInput } from '../../src/collector/telemetry-scraper.js';
import { createJudgedScraper } from '../helpers/judged.js';
import { parsePrometheusText } from '../../src/collector/prometheus-text.js';
import { MAX_ERROR_KINDS, TrafficWindow, familyOf, trafficCounters, trafficText } from '../../src/collector/traffic.js';
import { stallOf } from '../../src/diagnose/classify-telemetry.js';

const SCOPE = 'otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper"';

interface Fig {
  sent?: number;
  /** error_type -> [failed, permanent] at level detailed; a plain number below it */
  failed?: number | Record<string, [number, boolean]>;
  enqueueFailed?: number;
  inFlight?: number;
  queue?: number;
}
interface Page {
  exporters: Record<string, Fig>;
  accepted?: number;
  refused?: number;
  limiterRefused?: number;
  /** counters with `_total` (explicit readers, older collectors) or without (0.16x default reader) */
  total?: boolean;
  /** the memory limiter's refusals under the older family name */
  oldLimiter?: boolean;
}

/** A page in the shape the collector serves at :8888/metrics. */
function page(p: Page): string {
  const sfx = p.total ? '_total' : '';
  const out: string[] = [];
  for (const [n, f] of Object.entries(p.exporters)) {
    if (f.sent !== undefined) out.push(`otelcol_exporter_sent_spans${sfx}{exporter="${n}",server_address="127.0.0.1",${SCOPE}} ${f.sent}`);
    if (typeof f.failed === 'number') out.push(`otelcol_exporter_send_failed_spans${sfx}{exporter="${n}",${SCOPE}} ${f.failed}`);
    else {
      for (const [type, [v, perm]] of Object.entries(f.failed ?? {})) {
        out.push(`otelcol_exporter_send_failed_spans${sfx}{error_permanent="${perm}",error_type="${type}",exporter="${n}",${SCOPE}} ${v}`);
      }
    }
    if (f.enqueueFailed !== undefined) out.push(`otelcol_exporter_enqueue_failed_spans${sfx}{exporter="${n}",${SCOPE}} ${f.enqueueFailed}`);
    if (f.inFlight !== undefined) out.push(`otelcol_exporter_in_flight_requests{exporter="${n}",${SCOPE}} ${f.inFlight}`);
    if (f.queue !== undefined) {
      out.push(`otelcol_exporter_queue_size{data_type="traces",exporter="${n}",${SCOPE}} ${f.queue}`);
      out.push(`otelcol_exporter_queue_capacity{data_type="traces",exporter="${n}",${SCOPE}} 100000`);
    }
  }
  if (p.accepted !== undefined) out.push(`otelcol_receiver_accepted_spans${sfx}{receiver="otlp",transport="grpc"} ${p.accepted}`);
  if (p.refused !== undefined) out.push(`otelcol_receiver_refused_spans${sfx}{receiver="otlp",transport="grpc"} ${p.refused}`);
  if (p.limiterRefused !== undefined) {
    if (p.oldLimiter) {
      out.push(`otelcol_processor_refused_spans${sfx}{processor="memory_limiter"} ${p.limiterRefused}`);
      out.push(`otelcol_processor_refused_spans${sfx}{processor="filter"} 999`);
    } else out.push(`otelcol_processor_memory_limiter_refused_spans${sfx}{processor="memory_limiter"} ${p.limiterRefused}`);
  }
  out.push('otelcol_process_uptime 12');
  return `${out.join('\n')}\n`;
}

async function metricsServer(t: Test, body: () => string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);

/** A scraper on a clock that moves 10 s between scrapes (the sample time is mid-request). */
async function rig(t: Test, probeUp: Record<string, boolean>) {
  let current: Page = { exporters: {} };
  const url = await metricsServer(t, () => page(current));
  let clock = 1_000_000;
  const scraper = createJudgedScraper({ now: () => clock });
  const input: ScrapeInput = { url, exporters: Object.keys(probeUp), probeUp: new Map(Object.entries(probeUp)), queueRatio: 0.7 };
  return {
    async scrape(p: Page) {
      current = p;
      clock += 10_000;
      return scraper.scrape(input, signal());
    },
  };
}

t.test('counters: both spellings read once, unit suffixes, the older memory limiter family', async (t) => {
  t.equal(familyOf('otelcol_exporter_sent_spans_total'), 'otelcol_exporter_sent_spans');
  t.equal(familyOf('otelcol_exporter_in_flight_requests_ratio'), 'otelcol_exporter_in_flight_requests');
  const text = [
    'otelcol_exporter_sent_spans{exporter="a"} 10',
    'otelcol_exporter_sent_spans_total{exporter="a"} 10',
    'otelcol_exporter_send_failed_spans_total{exporter="a",error_type="Unavailable",error_permanent="false"} 4',
    'otelcol_exporter_send_failed_log_records_total{exporter="a",error_type="Unavailable",error_permanent="false"} 1',
    'otelcol_exporter_in_flight_requests_ratio{exporter="a"} 3',
    'otelcol_receiver_accepted_spans_total{receiver="otlp"} 100',
    'otelcol_receiver_accepted_metric_points_total{receiver="otlp"} 50',
    'otelcol_processor_refused_spans_total{processor="memory_limiter"} 7',
    'otelcol_processor_refused_spans_total{processor="filter/drop"} 1000',
    'otelcol_exporter_sent_spans{other="no exporter label"} 5',
    'otelcol_exporter_queue_size{data_type="traces",exporter="a"} 2',
    'otelcol_exporter_queue_size{data_type="logs",exporter="a"} 3',
  ].join('\n');
  const c = trafficCounters(parsePrometheusText(text).samples);
  const a = c.exporters.get('a')!;
  t.equal(a.sent, 10, 'not counted twice');
  t.equal(a.failed, 5, 'summed over signals');
  t.same([...a.failedBy], [['Unavailable\u0000false', 5]]);
  t.equal(a.inFlight, 3, 'in flight read under a unit suffix');
  t.equal(a.queued, 5, 'every queue of the exporter');
  t.same(c.pipeline, { accepted: 150, refused: null, limiterRefused: 7 }, 'only the memory limiter of the older family');

  const many = Array.from({ length: MAX_ERROR_KINDS + 5 }, (_, i) => `otelcol_exporter_send_failed_spans{exporter="a",error_type="E${i}",error_permanent="false"} 1`).join('\n');
  const capped = trafficCounters(parsePrometheusText(many).samples).exporters.get('a')!;
  t.equal(capped.failedBy.size, MAX_ERROR_KINDS, 'error kinds are bounded');
  t.equal(capped.failed, MAX_ERROR_KINDS + 5, 'the total still counts all');
});

t.test('the window: rates per second, a counter reset, exporters forgotten', async (t) => {
  const w = new TrafficWindow();
  const at = (text: string) => trafficCounters(parsePrometheusText(text).samples);
  const first = w.observe(0, ['a', 'b'], at('otelcol_exporter_sent_spans{exporter="a"} 100'));
  t.same(first.exporters.get('a')!.report, { sent_per_second: null, failed_per_second: null, enqueue_failed_per_second: null, lost_per_second: null, error_types: [], in_flight: null });
  t.same(first.pipeline, { accepted: null, refused: null, limiterRefused: null });
  const second = w.observe(10_000, ['a'], at('otelcol_exporter_sent_spans{exporter="a"} 300\notelcol_exporter_enqueue_failed_spans{exporter="a"} 0'));
  t.equal(second.exporters.get('a')!.report.sent_per_second, 20);
  t.equal(second.exporters.has('b'), false, 'b is no longer watched');
  const third = w.observe(20_000, ['a'], at('otelcol_exporter_sent_spans{exporter="a"} 50\notelcol_exporter_enqueue_failed_spans{exporter="a"} 30'));
  t.equal(third.exporters.get('a')!.report.sent_per_second, 5, 'below the last value: the collector restarted, the value is the rise');
  t.equal(third.exporters.get('a')!.report.lost_per_second, 3, 'enqueue failures are data lost');
  const same = w.observe(20_000, ['a'], at('otelcol_exporter_sent_spans{exporter="a"} 60'));
  t.equal(same.exporters.get('a')!.report.sent_per_second, null, 'no time passed: no rate');
});

t.test('a healthy pipeline: traffic side by side with the probe, and no problem', async (t) => {
  const r = await rig(t, { 'otlp/ok': true, 'otlp/idle': true });
  const exporters = (sent: number) => ({ 'otlp/ok': { sent, failed: {}, enqueueFailed: 0, inFlight: 1, queue: 3 }, 'otlp/idle': { sent: 0, failed: {}, inFlight: 0, queue: 0 } });
  for (let i = 0; i < 6; i++) {
    const s = await r.scrape({ exporters: exporters(1000 * (i + 1)), accepted: 1000 * (i + 1), refused: 0, limiterRefused: 0 });
    t.same(s.problems, [], `round ${i}: nothing on the collector`);
    for (const [name, q] of s.queues) t.same(q.problems, [], `round ${i}: ${name} has no problem`);
    if (i > 0) {
      t.same(s.traffic?.get('otlp/ok'), { sent_per_second: 100, failed_per_second: 0, enqueue_failed_per_second: 0, lost_per_second: 0, error_types: [], in_flight: 1 });
    }
  }
});

t.test('real batches rejected while the probe passes, at level detailed: the cause follows the error type', async (t) => {
  const r = await rig(t, { 'otlp/big': true, 'otlphttp/auth': true, 'otlphttp/bad': true, 'otlp/down': false });
  await r.scrape({ exporters: { 'otlp/big': { sent: 10, failed: {} }, 'otlphttp/auth': { sent: 0 }, 'otlphttp/bad': { sent: 5 }, 'otlp/down': { sent: 0 } }, accepted: 0 });
  const s = await r.scrape({
    exporters: {
      'otlp/big': { sent: 10, failed: { ResourceExhausted: [200, false] } },
      'otlphttp/auth': { sent: 0, failed: { Unauthenticated: [50, true] } },
      'otlphttp/bad': { sent: 105, failed: { InvalidArgument: [400, true] } },
      'otlp/down': { sent: 0, failed: { Unavailable: [30, false] } },
    },
    accepted: 700,
  });
  const big = s.queues.get('otlp/big')!;
  t.match(big.problems, [{ cause: 'backend', reason: 'exports_rejected', severity: 'critical' }]);
  t.equal(big.problems.length, 1);
  t.match(big.problems[0]!.message, 'fail at 20/s (error type ResourceExhausted, retryable; 0/s still sent)');
  t.match(big.problems[0]!.fix, /send_batch_max_size/, 'a size limit: the batch size');
  t.match(big.problems[0]!.fix, /throttles \(RESOURCE_EXHAUSTED with a RetryInfo, retried by the collector\) and its retries ran out/, 'retryable: a quota first');
  t.same(s.traffic?.get('otlp/big')?.error_types, [{ error_type: 'ResourceExhausted', permanent: false, per_second: 20 }]);
  t.equal(s.traffic?.get('otlp/big')?.lost_per_second, 20, 'failed sends are counted after retries: lost');

  const auth = s.queues.get('otlphttp/auth')!;
  t.match(auth.problems, [{ cause: 'auth', reason: 'exports_unauthorized', severity: 'critical' }]);
  t.equal(auth.problems.length, 1, 'permanent to the exporter, yet an auth problem, not a backend one');
  t.match(auth.problems[0]!.message, 'error type Unauthenticated, permanent');

  const bad = s.queues.get('otlphttp/bad')!;
  t.match(bad.problems, [{ cause: 'backend', reason: 'exports_dropped_permanently', severity: 'critical' }], 'permanent: critical at once, though some are sent');
  t.equal(bad.problems.length, 1);
  t.match(bad.problems[0]!.message, '40/s items are rejected with a permanent error (error type InvalidArgument)');

  const down = s.queues.get('otlp/down')!;
  t.match(down.problems, [{ cause: 'queue', reason: 'send_failing' }], 'the probe fails too: its own reason says why');
  t.same(s.problems, [], 'no refusal at the door');
  t.equal(trafficText(s.traffic!.get('otlphttp/bad')!), 'sent 10/s · failed 40/s · InvalidArgument (permanent) 40/s · lost 40/s');
});

t.test('an error the collector cannot name (_OTHER): size limits and quotas both', async (t) => {
  const r = await rig(t, { 'otlphttp/other': true });
  await r.scrape({ exporters: { 'otlphttp/other': { sent: 0, failed: {} } }, accepted: 0 });
  const s = await r.scrape({ exporters: { 'otlphttp/other': { sent: 0, failed: { _OTHER: [100, false] } } }, accepted: 100 });
  const p = s.queues.get('otlphttp/other')!.problems;
  t.match(p, [{ reason: 'exports_rejected', severity: 'critical' }]);
  t.match(p[0]!.fix, /^Compare the batch size of exporters.otlphttp\/other with the backend's limit on request size and its ingestion quotas/);
});

t.test('a warning while some real batches still get through', async (t) => {
  const r = await rig(t, { 'otlp/some': true });
  await r.scrape({ exporters: { 'otlp/some': { sent: 0, failed: 0 } }, total: true });
  const s = await r.scrape({ exporters: { 'otlp/some': { sent: 500, failed: 55 } }, total: true });
  const p = s.queues.get('otlp/some')!.problems;
  t.match(p, [{ reason: 'exports_rejected', severity: 'warning' }]);
  t.match(p[0]!.message, 'fail at 5.5/s (the collector does not name the error');
  t.match(p[0]!.message, 'set it to `detailed`');
  t.match(p[0]!.fix, /"Exporting failed" lines/, 'no error type: read the log');
});

t.test('data stopped flowing: receivers accept, the exporter neither sends nor fails, scrape after scrape', async (t) => {
  const r = await rig(t, { 'otlp/stuck': true, 'otlp/queued': true, 'otlp/quiet': true });
  const stuckPage = (accepted: number, queue: number): Page => ({
    exporters: { 'otlp/stuck': { sent: 100, failed: 0, inFlight: 4 }, 'otlp/queued': { sent: 100, failed: 0, queue }, 'otlp/quiet': { sent: 100, failed: 0, inFlight: 0, queue: 0 } },
    accepted,
  });
  await r.scrape({ exporters: { 'otlp/stuck': { sent: 100, failed: 0, inFlight: 0 }, 'otlp/queued': { sent: 100, failed: 0, queue: 0 }, 'otlp/quiet': { sent: 100, failed: 0, inFlight: 0, queue: 0 } }, accepted: 100 });
  const one = await r.scrape(stuckPage(600, 40));
  t.same(one.queues.get('otlp/stuck')!.problems, [], 'one quiet window (10 s): what a slow healthy send can look like, not yet a stall');
  t.same(one.queues.get('otlp/queued')!.problems, []);
  const two = await r.scrape(stuckPage(1100, 80));
  const stuck = two.queues.get('otlp/stuck')!.problems;
  t.match(stuck, [{ cause: 'backend', reason: 'exports_stalled', severity: 'warning' }], 'two quiet windows, 20 s: a warning');
  t.match(stuck[0]!.message, 'the receivers accept 50/s but the exporter sent nothing and reported no failure for 20 s, with 4 requests in flight');
  t.match(stuck[0]!.message, 'or every one of them is being retried');
  t.match(two.queues.get('otlp/queued')!.problems, [{ reason: 'exports_stalled', severity: 'warning' }]);
  t.match(two.queues.get('otlp/queued')!.problems[0]!.message, 'and its queue growing');
  t.same(two.queues.get('otlp/quiet')!.problems, [], 'nothing in flight, queue empty: a pipeline without data, not a stall');
  const three = await r.scrape(stuckPage(1600, 120));
  t.match(three.queues.get('otlp/stuck')!.problems, [{ reason: 'exports_stalled', severity: 'critical' }], 'three windows, 30 s: critical');
  t.match(three.queues.get('otlp/stuck')!.problems[0]!.message, 'for 30 s');
  t.match(three.queues.get('otlp/queued')!.problems, [{ reason: 'exports_stalled', severity: 'critical' }]);
  const later = await r.scrape({ exporters: { 'otlp/stuck': { sent: 100, failed: 0, inFlight: 4 }, 'otlp/queued': { sent: 100, failed: 0, queue: 120 }, 'otlp/quiet': { sent: 100, failed: 0 } }, accepted: 1600 });
  t.same(later.queues.get('otlp/stuck')!.problems, [], 'the receivers take nothing in: nothing is expected to flow');
  const again = await r.scrape(stuckPage(2100, 160));
  t.same(again.queues.get('otlp/stuck')!.problems, [], 'the run starts over: one quiet window again');
});

t.test('the stall window: slow healthy sends are never a stall; short windows need 5 s, critical 15 s', async (t) => {
  const w = new TrafficWindow();
  const at = (sent: number, inFlight: number, accepted: number) =>
    trafficCounters(parsePrometheusText(
      `otelcol_exporter_sent_spans{exporter="a"} ${sent}\notelcol_exporter_send_failed_spans{exporter="a"} 0\n` +
      `otelcol_exporter_in_flight_requests{exporter="a"} ${inFlight}\notelcol_receiver_accepted_spans{receiver="otlp"} ${accepted}`,
    ).samples);
  // a batch every 5 s to a backend that takes 1.5 s, scraped every second: a send is in flight at
  // some scrapes with none ended since the last; each ends before the next batch
  let sent = 0;
  let accepted = 0;
  const stalls: string[] = [];
  for (let s = 0; s <= 60; s++) {
    accepted += 100;
    const phase = s % 5;
    if (phase === 2) sent += 500; // the send that began at phase 0.5 ended at phase 2
    const inFlight = phase === 1 ? 1 : 0;
    const v = w.observe(s * 1000, ['a'], at(sent, inFlight, accepted)).exporters.get('a')!;
    const stall = stallOf(v.quiet);
    if (stall) stalls.push(`${s}: ${JSON.stringify(stall)}`);
  }
  t.same(stalls, [], 'no stall from a slow send between sparse batches');

  // now it hangs: one request in flight, nothing sent, every second
  const seen: (string | null)[] = [];
  for (let s = 61; s <= 80; s++) {
    accepted += 100;
    const v = w.observe(s * 1000, ['a'], at(sent, 1, accepted)).exporters.get('a')!;
    const stall = stallOf(v.quiet);
    seen.push(stall === null ? null : stall.critical ? 'critical' : 'warning');
  }
  t.equal(seen.indexOf('warning'), seen.findIndex((x) => x !== null), 'a warning first');
  t.ok(seen.includes('critical'), 'then critical');
  const firstWarning = seen.indexOf('warning') + 61;
  const firstCritical = seen.indexOf('critical') + 61;
  t.ok(firstCritical - firstWarning >= 10, `critical ${firstCritical - firstWarning} s after the warning: the 15 s floor, not 3 windows of 1 s`);
  const gone = w.observe(81_000, [], at(sent, 1, accepted));
  t.equal(gone.exporters.size, 0, 'an exporter no longer configured is forgotten');
  const back = w.observe(82_000, ['a'], at(sent, 1, accepted + 100)).exporters.get('a')!;
  t.equal(back.quiet, null, 'and starts over when it comes back');
  const next = w.observe(83_000, ['a'], at(sent, 1, accepted + 200)).exporters.get('a')!;
  t.equal(next.quiet?.windows, 1, 'its run of quiet windows counted from one again');
});

t.test('the stall window: a queue that grows in every quiet window is a stall at the second scrape', async (t) => {
  const w = new TrafficWindow();
  const at = (queue: number, inFlight: number, accepted: number) =>
    trafficCounters(parsePrometheusText(
      `otelcol_exporter_sent_spans{exporter="a"} 500\notelcol_exporter_send_failed_spans{exporter="a"} 0\n` +
      `otelcol_exporter_in_flight_requests{exporter="a"} ${inFlight}\notelcol_exporter_queue_size{exporter="a",data_type="traces"} ${queue}\n` +
      `otelcol_receiver_accepted_spans{receiver="otlp"} ${accepted}`,
    ).samples);
  w.observe(0, ['a'], at(0, 0, 100));
  // every consumer held, data keeps arriving: the queue grows while nothing is sent, scraped every second
  const one = w.observe(1000, ['a'], at(10, 10, 200)).exporters.get('a')!;
  t.same(one.quiet, { windows: 1, seconds: 1, queueGrewThroughout: true });
  t.equal(stallOf(one.quiet), null, 'one window is never a stall');
  const two = w.observe(2000, ['a'], at(20, 10, 300)).exporters.get('a')!;
  t.same(stallOf(two.quiet), { seconds: 2, critical: false }, 'the second window with the queue growing: a warning, before 5 s');
  // the same two windows with requests in flight and a queue that does not grow: a retry may be waiting
  const v = new TrafficWindow();
  v.observe(0, ['a'], at(3, 0, 100));
  v.observe(1000, ['a'], at(3, 1, 200));
  const held = v.observe(2000, ['a'], at(3, 1, 300)).exporters.get('a')!;
  t.same(held.quiet, { windows: 2, seconds: 2, queueGrewThroughout: false });
  t.equal(stallOf(held.quiet), null, 'without the queue growing, 2 s is not yet a stall');
  const grewOnce = new TrafficWindow();
  grewOnce.observe(0, ['a'], at(0, 1, 100));
  grewOnce.observe(1000, ['a'], at(5, 1, 200));
  const mixed = grewOnce.observe(2000, ['a'], at(5, 1, 300)).exporters.get('a')!;
  t.equal(mixed.quiet?.queueGrewThroughout, false, 'a queue that grew in one window only does not count');
  t.equal(stallOf(mixed.quiet), null);
});

t.test('data refused at the door: memory limiter (both names), receivers', async (t) => {
  for (const oldLimiter of [false, true]) {
    const r = await rig(t, { 'otlp/ok': true });
    await r.scrape({ exporters: { 'otlp/ok': { sent: 0, failed: 0 } }, accepted: 0, refused: 0, limiterRefused: 0, oldLimiter });
    const s = await r.scrape({ exporters: { 'otlp/ok': { sent: 900, failed: 0 } }, accepted: 900, refused: 300, limiterRefused: 300, oldLimiter });
    t.match(s.problems, [{ cause: 'resources', reason: 'data_refused', severity: 'critical' }], oldLimiter ? 'otelcol_processor_refused_*' : 'otelcol_processor_memory_limiter_refused_*');
    t.match(s.problems[0]!.message, 'the memory limiter 30/s, the receivers 30/s (of 90/s accepted)');
  }
  const r = await rig(t, { 'otlp/failing': false });
  await r.scrape({ exporters: { 'otlp/failing': { sent: 0, failed: 0 } }, accepted: 0, refused: 0 });
  const s = await r.scrape({ exporters: { 'otlp/failing': { sent: 0, failed: 100 } }, accepted: 0, refused: 100 });
  t.same(s.problems, [], 'receivers refuse what a failing exporter hands back: said on the exporter, not the collector');
  const alone = await r.scrape({ exporters: { 'otlp/failing': { sent: 0, failed: 100 } }, accepted: 0, refused: 200 });
  t.match(alone.problems, [{ reason: 'data_refused' }], 'receivers refuse while no exporter fails');
});
