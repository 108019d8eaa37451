// One diagnosis, many views: for every state an exporter or the collector can be in, the status
// page, the `check` report, the metrics, the JSON document and the logs all show the state the
// diagnosis gives, and none works out another.
import t from 'tap';
import { Registry } from 'prom-client';
import { problem } from '../../src/diagnose/catalogue.js';
import {
  assembleDiagnosis,
  collectorDiagnosis,
  exporterDiagnosis,
  PHASES,
  type Diagnosis,
  type ExporterReadings,
} from '../../src/diagnose/diagnosis.js';
import type { State } from '../../src/diagnose/state.js';
import type { CollectorReport, QueueReport } from '../../src/diagnose/collector-report.js';
import type { ProbeResult } from '../../src/diagnose/classify-probe.js';
import { renderReport, PLAIN } from '../../src/views/check-report.js';
import { PROTOCOLS } from '../../src/config/protocols.js';
import { statusView } from '../../src/views/status-view.js';
import { renderStatusPage } from '../../src/views/status-page.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render-metrics.js';
import { collectorLogRecords, exporterLogRecord } from '../../src/runtime/log.js';

const NOW = Date.parse('2026-11-23T20:00:00.000Z');

const probe = (up: boolean, problems: ProbeResult['problems'] = []): ProbeResult => ({
  up,
  problems,
  phases: { dns_seconds: 0.001, connect_seconds: 0.002, tls_seconds: null, request_seconds: up ? 0.01 : null },
  totalSeconds: 0.015,
  tls: null,
  startedAt: NOW - 2000,
});

const queue = (size: number, problems: QueueReport['problems'] = []): QueueReport => ({ size, capacity: 1000, sizer: 'requests', unit: 'requests', seconds_to_full: null, problems });

const readings = (name: string, over: Partial<ExporterReadings>): ExporterReadings => ({
  name,
  type: 'otlphttp',
  protocol: 'http',
  endpoint: 'http://127.0.0.1:4318',
  signal: 'traces',
  signals: ['traces'],
  note: null,
  valueSources: [],
  result: probe(true),
  configProblems: [],
  queue: queue(0),
  lastSuccessAt: NOW - 2000,
  ...over,
});

const report = (over: Partial<CollectorReport>): CollectorReport => ({
  found: true,
  pid: 4242,
  open_fds: 100,
  max_fds: 1024,
  rss_bytes: 50_000_000,
  memory_limit_bytes: 500_000_000,
  oom_kills: 0,
  restarts: 0,
  problems: [],
  ...over,
});

const EXPORTER_CASES: { what: string; state: State; readings: Partial<ExporterReadings> }[] = [
  { what: 'works end to end', state: 'up', readings: {} },
  { what: 'works, its certificate expires soon', state: 'warn', readings: { result: probe(true, [problem('tls_cert_expiring', { days: 9 })]) } },
  { what: 'works, its queue fills', state: 'warn', readings: { queue: queue(900, [problem('queue_near_capacity')]) } },
  { what: 'probe refused', state: 'down', readings: { result: probe(false, [problem('connection_refused')]), lastSuccessAt: null } },
  { what: 'probe works but its queue is full', state: 'down', readings: { queue: queue(1000, [problem('queue_full')]) } },
  { what: 'not probed yet', state: 'pending', readings: { result: null, queue: null, lastSuccessAt: null } },
  { what: 'not probed yet, with a config warning', state: 'warn', readings: { result: null, configProblems: [problem('grpc_port_mismatch')] } },
  { what: 'not probed, a critical config mistake', state: 'down', readings: { result: null, configProblems: [problem('missing_endpoint')] } },
];

const COLLECTOR_CASES: { what: string; state: State; report: CollectorReport; inspected: boolean }[] = [
  { what: 'found, nothing wrong', state: 'up', report: report({}), inspected: true },
  { what: 'near its fd limit', state: 'warn', report: report({ open_fds: 900, problems: [problem('fd_near_limit')] }), inspected: true },
  { what: 'out of fds', state: 'down', report: report({ open_fds: 1024, problems: [problem('fd_exhausted')] }), inspected: true },
  {
    what: 'not found',
    state: 'down',
    report: report({ found: false, pid: null, open_fds: null, max_fds: null, rss_bytes: null, memory_limit_bytes: null, problems: [problem('collector_not_found')] }),
    inspected: true,
  },
  { what: 'not inspected yet', state: 'pending', report: report({ found: false, pid: null }), inspected: false },
];

const view = statusView(PHASES, PROTOCOLS);
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every view of `d`, rendered as it is served or printed. */
async function renderAll(d: Diagnosis) {
  const registry = new Registry();
  createMetrics(registry, { version: 'test' }).update(d);
  return {
    page: view.renderApp(d, NOW, null),
    fullPage: renderStatusPage(d, NOW),
    check: renderReport(d, PLAIN),
    metrics: await renderMetrics(registry, 'prometheus'),
    json: JSON.parse(JSON.stringify(d)) as Diagnosis,
  };
}

t.test('each exporter state shows the same in every view', async (t) => {
  const collector = collectorDiagnosis(report({}), true);
  for (const c of EXPORTER_CASES) {
    const name = 'otlphttp/x';
    const entry = exporterDiagnosis(readings(name, c.readings));
    t.equal(entry.state, c.state, `${c.what}: the diagnosis says ${c.state}`);
    const d = assembleDiagnosis(new Date(NOW).toISOString(), collector, [entry]);
    const v = await renderAll(d);
    const upper = c.state.toUpperCase();

    t.match(v.page, new RegExp(`<article class="card s-${c.state}" data-exporter="${escapeRe(name)}"><div class="head"><span class="badge b-${c.state}">${upper}</span>`), `${c.what}: page card`);
    t.equal(view.overall(d), d.state, `${c.what}: page overall`);
    t.match(v.fullPage, `href="favicon-${d.state}.svg"`, `${c.what}: page icon`);
    t.match(v.check, new RegExp(`^${upper}  ${escapeRe(name)}  `, 'm'), `${c.what}: check report`);
    t.match(v.metrics, `otel_sentinel_exporter_state{exporter="${name}",state="${c.state}"} 1\n`, `${c.what}: metrics`);
    t.equal((v.metrics.match(/^otel_sentinel_exporter_state\{/gm) ?? []).length, 1, `${c.what}: one state series`);
    t.equal(v.json.exporters[0]?.state, c.state, `${c.what}: JSON`);
    const log = exporterLogRecord(entry, false);
    t.equal(log.fields.state, c.state, `${c.what}: log`);
    t.equal(log.level, c.state === 'down' ? 'warn' : 'info', `${c.what}: log level follows the state`);
    t.equal(d.healthy, c.state === 'up', `${c.what}: healthy only when up`);
  }
});

t.test('each collector state shows the same in every view', async (t) => {
  for (const c of COLLECTOR_CASES) {
    const collector = collectorDiagnosis(c.report, c.inspected);
    t.equal(collector.state, c.state, `${c.what}: the diagnosis says ${c.state}`);
    const d = assembleDiagnosis(new Date(NOW).toISOString(), collector, [exporterDiagnosis(readings('otlp/ok', {}))]);
    const v = await renderAll(d);
    const upper = c.state.toUpperCase();

    t.match(v.page, `<section class="card s-${c.state}" id="collector" aria-label="collector"><div class="head"><span class="badge b-${c.state}">${upper}</span>`, `${c.what}: page card`);
    t.equal(view.overall(d), c.state, `${c.what}: page overall (the exporter is up)`);
    t.match(v.check, new RegExp(`^${upper}  collector  `, 'm'), `${c.what}: check report`);
    t.match(v.metrics, `otel_sentinel_collector_state{state="${c.state}"} 1\n`, `${c.what}: metrics`);
    t.equal(v.json.collector.state, c.state, `${c.what}: JSON`);
    for (const r of collectorLogRecords(collector)) t.equal(r.fields.state, c.state, `${c.what}: log`);
    if (c.state !== 'up' && c.state !== 'pending') {
      t.match(v.check.split('\n')[0], /collector (down|with warnings)/, `${c.what}: the verdict names the collector`);
      t.notMatch(v.check.split('\n')[0], /exporter/, `${c.what}: and no exporter, as none is in trouble`);
    }
  }
});

t.test('the check verdict counts exporters by their state', async (t) => {
  const collector = collectorDiagnosis(report({}), true);
  const d = assembleDiagnosis(new Date(NOW).toISOString(), collector, [
    exporterDiagnosis(readings('a', { queue: queue(1000, [problem('queue_full')]) })),
    exporterDiagnosis(readings('b', { queue: queue(900, [problem('queue_near_capacity')]) })),
    exporterDiagnosis(readings('c', {})),
  ]);
  t.equal(d.state, 'down');
  const first = renderReport(d, PLAIN).split('\n')[0] ?? '';
  t.match(first, '1 of 3 exporters down, 1 of 3 exporters with warnings');
  const h = assembleDiagnosis(new Date(NOW).toISOString(), collector, [exporterDiagnosis(readings('c', {}))]);
  t.match(renderReport(h, PLAIN).split('\n')[0], 'all healthy');
});
