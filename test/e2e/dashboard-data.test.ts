// Every query of the Grafana dashboard (grafana/otel-sentinel.json), run through a real
// Prometheus that scrapes a live otel-sentinel, must parse and return data. The daemon watches a
// mix that makes every panel meaningful: a healthy gRPC exporter, a healthy HTTP one whose
// sending queue is filling, a TLS one (certificate expiry series), one whose backend refuses
// connections (an active exporter problem), and a collector stand-in: a process near its open-files
// limit (an active collector problem) and its internal metrics in the collector's own format.
// With those conditions created, even the queries that may be empty on a healthy system
// (`mayBeEmpty`) must return data.
import t from 'tap';
import { testCerts } from '../helpers/certs.js';
import { closedPort, startGrpcServer, startHttpServer } from '../helpers/servers.js';
import { dashboardQueries, type DashboardQuery } from '../helpers/ops/dashboard-queries.js';
import type { QueryData } from '../helpers/ops/prometheus-server.js';
import { startCollectorStandIn } from '../helpers/e2e/collector-stand-in.js';
import { startE2ePrometheus } from '../helpers/e2e/prometheus.js';
import { startSentinel } from '../helpers/e2e/sentinel.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.setTimeout(180_000);

interface Answer {
  readonly query: DashboardQuery;
  readonly status: string;
  readonly error?: string;
  readonly series: number;
  readonly sample?: string;
}

const EXPORTERS = {
  grpc: 'otlp/healthy-grpc',
  http: 'otlphttp/filling-queue',
  tls: 'otlphttp/tls',
  down: 'otlp/refused',
} as const;

t.test('every dashboard query returns data from a live sentinel', async (t) => {
  const certs = testCerts();
  const grpc = await startGrpcServer();
  t.teardown(() => grpc.close());
  const http = await startHttpServer();
  t.teardown(() => http.close());
  const https = await startHttpServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  t.teardown(() => https.close());
  const refused = await closedPort();

  const collector = await startCollectorStandIn({
    exporters: Object.values(EXPORTERS),
    filling: EXPORTERS.http,
    fillPerSecond: 5,
    capacity: 1000,
    maxFds: 8,
  });
  t.teardown(() => collector.close());

  const sentinel = await startSentinel({
    exporters: {
      [EXPORTERS.grpc]: { endpoint: `127.0.0.1:${grpc.port}`, tls: { insecure: true } },
      [EXPORTERS.http]: { endpoint: `http://127.0.0.1:${http.port}` },
      [EXPORTERS.tls]: { endpoint: `https://127.0.0.1:${https.port}`, tls: { ca_file: certs.ca.certFile } },
      [EXPORTERS.down]: { endpoint: `127.0.0.1:${refused}`, tls: { insecure: true } },
    },
    collectorPid: collector.pid,
    telemetryUrl: collector.telemetryUrl,
  });
  t.teardown(() => sentinel.stop());

  const prom = await startE2ePrometheus({
    scrapeConfigs: [{ job_name: 'otel-sentinel', static_configs: [{ targets: [sentinel.target] }] }],
    scrapeInterval: '1s',
  });
  t.teardown(() => prom.stop());

  const queries = dashboardQueries();
  t.ok(queries.length >= 15, `the dashboard has its queries (${queries.length})`);

  const ask = async (q: DashboardQuery): Promise<Answer> => {
    const r = await prom.query(q.promql);
    const result = (r.data as QueryData | undefined)?.result;
    const series = Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
    const first = Array.isArray(result) ? (result[0] as { metric: object; value: [number, string] } | undefined) : undefined;
    return {
      query: q,
      status: r.status,
      error: r.error,
      series,
      sample: first ? `${JSON.stringify(first.metric)} ${first.value[1]}` : undefined,
    };
  };

  // Rates, increases and the queue's fill rate need several scrapes and probe rounds: poll until
  // every query has data, then judge each on the last answers.
  let answers: Answer[] = [];
  const empty = (): string =>
    answers
      .filter((a) => a.status !== 'success' || a.series === 0)
      .map((a) => `${a.query.source}: ${a.status}${a.error ? ` ${a.error}` : ''} (${a.query.promql})`)
      .join('\n');
  await waitFor(
    'every dashboard query to return data',
    async () => {
      answers = await Promise.all(queries.map(ask));
      return answers.every((a) => a.status === 'success' && a.series > 0) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000, lastSeen: () => `${empty()}\nsentinel log: ${sentinel.log()}` },
  ).catch((err: Error) => t.comment(err.message));

  for (const a of answers) {
    t.equal(a.status, 'success', `${a.query.source} parses and runs${a.error ? `: ${a.error}` : ''}`);
    t.ok(a.series > 0, `${a.query.source} returns data${a.query.mayBeEmpty ? ' (may be empty on a healthy system; the condition is created here)' : ''}`, {
      promql: a.query.promql,
    });
    t.comment(`${a.query.source}: ${a.series} series, e.g. ${a.sample ?? '-'}`);
  }

  // The data is the right data, not just any: spot checks on the conditions created above.
  const byLabel = async (expr: string, label: string): Promise<Map<string, string>> => {
    const r = await prom.query(expr);
    const rows = ((r.data as QueryData | undefined)?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
    return new Map(rows.map((row) => [row.metric[label] ?? '', row.value[1]]));
  };
  // over a window: one slow probe on a loaded machine must not decide it
  const up = await byLabel('max by (exporter) (max_over_time(otel_sentinel_exporter_up[1m]))', 'exporter');
  t.same(Object.fromEntries(up), { [EXPORTERS.grpc]: '1', [EXPORTERS.http]: '1', [EXPORTERS.tls]: '1', [EXPORTERS.down]: '0' }, 'exporters up as arranged');
  const problems = await byLabel('max by (exporter, reason) (otel_sentinel_exporter_problem == 1)', 'reason');
  t.ok(problems.has('connection_refused'), 'the refused exporter is an active problem');
  const days = await byLabel('min by (exporter) ((otel_sentinel_tls_cert_not_after_timestamp_seconds - time()) / 86400)', 'exporter');
  t.same([...days.keys()], [EXPORTERS.tls], 'a certificate expiry for the TLS exporter only');
  t.ok(Number(days.get(EXPORTERS.tls)) > 300, 'about a year left on the test certificate');
  const toFull = await byLabel('min by (exporter) (otel_sentinel_exporter_queue_seconds_to_full < +Inf)', 'exporter');
  t.same([...toFull.keys()], [EXPORTERS.http], 'only the filling queue has a time to full');
  const collectorProblems = await byLabel('max by (reason) (otel_sentinel_collector_problem == 1)', 'reason');
  // near the limit or at it: descriptors the test process inherited (and passes on) count too
  t.ok(collectorProblems.has('fd_near_limit') || collectorProblems.has('fd_exhausted'), `the collector's fd pressure is an active problem (${[...collectorProblems.keys()].join(', ')})`);
  const fds = await byLabel('otel_sentinel_collector_max_fds', '__name__');
  t.same([...fds.values()], ['8'], "the collector's open-files limit as set");
});
