/**
 * The healthy run's own parts: the backends' answers (what the collector meets) and what counts
 * as an alarm in a diagnosis.
 */
import t from 'tap';
import { connect } from 'node:http2';
import { retryInfoStatus, startHealthyBackend } from '../../bench/healthy-backends.js';
import { sumFamily, violations } from '../../bench/healthy-pipeline.js';
import type { Diagnosis, ExporterDiagnosis } from '../../src/diagnose/diagnosis.js';
import { testCerts } from '../helpers/certs.js';

const post = async (url: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null }> => {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
};

/** one gRPC call over h2c: the message (empty or not) in a gRPC frame; the status and trailers */
const grpcCall = (endpoint: string, path: string, bytes: number, headers: Record<string, string> = {}): Promise<Record<string, string>> =>
  new Promise((resolve, reject) => {
    const session = connect(`http://${endpoint}`);
    session.on('error', reject);
    const frame = Buffer.alloc(5 + bytes);
    frame.writeUInt32BE(bytes, 1);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    const got: Record<string, string> = {};
    req.on('response', (h) => {
      for (const [k, v] of Object.entries(h)) if (typeof v === 'string') got[k] = v;
    });
    req.on('trailers', (h) => {
      for (const [k, v] of Object.entries(h)) if (typeof v === 'string') got[k] = v;
    });
    req.resume();
    req.on('end', () => {
      session.close();
      resolve(got);
    });
    req.end(frame);
  });

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

t.test('HTTP: throttled with Retry-After, then OK; header checked; unknown path 404', async (t) => {
  const b = await startHealthyBackend({ protocol: 'http', exhaustedBatches: 2, retryAfterSeconds: 3, requiredHeader: { name: 'Authorization', value: 'Bearer x' } });
  t.teardown(() => b.close());
  const auth = { authorization: 'Bearer x' };
  t.same(await post(`${b.endpoint}/v1/traces`, new Uint8Array(0), auth), { status: 200, retryAfter: null }, 'the empty export passes at once');
  t.same(await post(`${b.endpoint}/v1/traces`, new Uint8Array(10), auth), { status: 429, retryAfter: '3' });
  t.same(await post(`${b.endpoint}/v1/traces`, new Uint8Array(10), auth), { status: 429, retryAfter: '3' });
  t.same(await post(`${b.endpoint}/v1/traces`, new Uint8Array(10), auth), { status: 200, retryAfter: null }, 'the third batch passes');
  t.equal((await post(`${b.endpoint}/v1/traces`, new Uint8Array(10))).status, 401, 'no header: 401');
  t.equal((await post(`${b.endpoint}/v1/nothing`, new Uint8Array(10), auth)).status, 404);
  t.same(b.counts(), { accepted: 1, retryable: 2, empty: 1, unauthorized: 1 });
});

t.test('HTTPS, slow and flaky: every 2nd batch 503, the others after the delay', async (t) => {
  const c = testCerts();
  const b = await startHealthyBackend({ protocol: 'http', tls: { cert: c.server.cert, key: c.server.key }, delayMs: [20, 40], failEvery: 2 });
  t.teardown(() => b.close());
  t.match(b.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
  const { Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: c.ca.cert } });
  t.teardown(() => dispatcher.close());
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${b.endpoint}/v1/traces`, { method: 'POST', body: new Uint8Array(10), dispatcher } as RequestInit);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  t.same(statuses, [200, 503, 200, 503]);
  t.same(b.counts(), { accepted: 2, retryable: 2, empty: 0, unauthorized: 0 });
});

t.test('gRPC: RESOURCE_EXHAUSTED with a RetryInfo, UNAVAILABLE, UNAUTHENTICATED, UNIMPLEMENTED', async (t) => {
  const b = await startHealthyBackend({ protocol: 'grpc', exhaustedBatches: 1, failEvery: 3, retryAfterSeconds: 2, requiredHeader: { name: 'x-token', value: 'y' } });
  t.teardown(() => b.close());
  const h = { 'x-token': 'y' };
  const first = await grpcCall(b.endpoint, TRACES, 4, h);
  t.equal(first['grpc-status'], '8');
  t.equal(first['grpc-status-details-bin'], retryInfoStatus(8, 'quota exceeded', 2), 'a google.rpc.Status with the RetryInfo');
  t.equal((await grpcCall(b.endpoint, TRACES, 4, h))['grpc-status'], '0');
  t.equal((await grpcCall(b.endpoint, TRACES, 4, h))['grpc-status'], '14', 'the 3rd batch: UNAVAILABLE');
  t.equal((await grpcCall(b.endpoint, TRACES, 0, h))['grpc-status'], '0', 'the empty export');
  t.equal((await grpcCall(b.endpoint, TRACES, 4))['grpc-status'], '16', 'no header');
  t.equal((await grpcCall(b.endpoint, '/other.Service/Export', 4, h))['grpc-status'], '12');
  t.same(b.counts(), { accepted: 1, retryable: 2, empty: 1, unauthorized: 1 });
  // the RetryInfo: Status{code=8, message, details=[Any{type_url, value=RetryInfo{retry_delay{seconds=2}}}]}
  const raw = Buffer.from(retryInfoStatus(8, 'm', 2), 'base64');
  t.equal(raw[0], 0x08);
  t.equal(raw[1], 8);
  t.ok(raw.includes(Buffer.from('type.googleapis.com/google.rpc.RetryInfo')));
  t.ok(raw.subarray(-4).equals(Buffer.from([0x0a, 0x02, 0x08, 0x02])), 'retry_delay of 2 s at the end');
});

t.test('violations: everything that would be an alarm on a healthy pipeline', async (t) => {
  const exporter = (over: Partial<ExporterDiagnosis>): ExporterDiagnosis => ({ name: 'otlp/a', up: true, state: 'up', problems: [], traffic: null, ...over }) as ExporterDiagnosis;
  const clean = { checked_at: 'x', state: 'up', healthy: true, collector: { state: 'up', problems: [] }, exporters: [exporter({})] } as unknown as Diagnosis;
  t.same(violations(clean), []);
  const bad = {
    ...clean,
    collector: { state: 'down', problems: [{ severity: 'critical', reason: 'data_refused', message: 'm' }] },
    exporters: [
      exporter({ up: false, state: 'warn', problems: [{ severity: 'warning', reason: 'exports_stalled', message: 's', cause: 'backend', fix: '' }] }),
      exporter({ name: 'otlp/b', traffic: { lost_per_second: 2 } as ExporterDiagnosis['traffic'] }),
    ],
  } as unknown as Diagnosis;
  t.same(violations(bad), [
    'collector: state down',
    'collector: critical data_refused (m)',
    'otlp/a: probe failed',
    'otlp/a: state warn',
    'otlp/a: warning exports_stalled (s)',
    'otlp/b: data lost 2/s',
  ]);
});

t.test('sumFamily: a family summed over its series, with or without a filter', async (t) => {
  const text = ['# HELP x', 'fam{a="1"} 2', 'fam{a="2"} 3', 'fam 1', 'family_other 100', 'fam{a="3"} NaN'].join('\n');
  t.equal(sumFamily(text, 'fam'), 6);
  t.equal(sumFamily(text, 'fam', (l) => l.includes('a="2"')), 3);
  t.equal(sumFamily(text, 'absent'), 0);
});
