import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { register as globalRegistry, Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render-metrics.js';
import { FAMILIES } from '../../src/metrics/metric-families.js';
import {
  failingExporter,
  fillingExporter,
  fixtureDiagnosis,
  healthyExporter,
  pendingExporter,
} from '../helpers/diagnosis-fixture.js';

/** The `otel_sentinel_*` sample lines, as a set. */
const samples = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('otel_sentinel_'));
const value = (text: string, series: string): string | undefined =>
  samples(text)
    .find((l) => l.startsWith(`${series} `))
    ?.slice(series.length + 1);
const ofExporter = (text: string, name: string): string[] => samples(text).filter((l) => l.includes(`exporter="${name}"`));

function promtool(text: string): { status: number | null; out: string } {
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('promtool accepts the output for healthy, failing, queue-filling and unprobed exporters', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  m.update(fixtureDiagnosis());
  m.recordProbe('otlp/tempo', false);
  m.recordProbe('otlphttp/honeycomb', true);
  const text = await renderMetrics(registry, 'prometheus');
  const r = promtool(text);
  t.equal(r.status, 0, `promtool check metrics: ${r.out}`);
  t.equal(r.out.trim(), '', 'no lint warning either');
  t.equal((await globalRegistry.metrics()).trim(), '', 'nothing went to the global registry');
});

/** The families docs/metrics.md documents in its table: name, type and label names. */
function documentedFamilies(): Map<string, { type: string; labels: string[] }> {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const out = new Map<string, { type: string; labels: string[] }>();
  for (const row of doc.split('\n')) {
    const m = /^\| `(otel_sentinel_[a-z_]+)` \| ([a-z]+) \|([^|]*)\|/.exec(row);
    if (!m) continue;
    const labels = [...m[3]!.replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g)].map((l) => l[1]!);
    out.set(m[1]!, { type: m[2]!, labels });
  }
  return out;
}

t.test('docs/metrics.md documents every family of the code, with its type and labels, and no other', async (t) => {
  const documented = documentedFamilies();
  t.ok(documented.size >= 20, `the table of docs/metrics.md is read (${documented.size} rows)`);
  for (const spec of Object.values(FAMILIES)) {
    const d = documented.get(spec.name);
    if (!t.ok(d, `docs/metrics.md has a row for ${spec.name}`) || !d) continue;
    t.equal(d.type, spec.type, `${spec.name}: type`);
    t.same(d.labels, spec.labelNames, `${spec.name}: labels`);
  }
  const names = new Set<string>(Object.values(FAMILIES).map((f) => f.name));
  for (const name of documented.keys()) t.ok(names.has(name), `${name} of docs/metrics.md is in metric-families.ts`);
});

t.test('every documented family, with its type and labels', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  m.update(fixtureDiagnosis());
  m.recordProbe('otlp/tempo', false);
  const text = await renderMetrics(registry, 'prometheus');
  for (const spec of Object.values(FAMILIES)) {
    t.match(text, `# TYPE ${spec.name} ${spec.type}\n`, spec.name);
  }
  t.equal(value(text, 'otel_sentinel_build_info{version="1.2.3"}'), '1');
  t.equal(value(text, 'otel_sentinel_config_last_reload_successful'), '1');
  t.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics of the daemon');
  t.match(text, /^nodejs_eventloop_lag_seconds /m, 'default Node.js metrics of the daemon');

  // healthy exporter
  t.equal(value(text, 'otel_sentinel_exporter_up{exporter="otlphttp/honeycomb"}'), '1');
  t.same(
    ofExporter(text, 'otlphttp/honeycomb').filter((l) => l.startsWith('otel_sentinel_exporter_state')),
    ['otel_sentinel_exporter_state{exporter="otlphttp/honeycomb",state="up"} 1'],
    'one state series, labelled with the state of the diagnosis',
  );
  t.equal(
    value(text, 'otel_sentinel_exporter_info{exporter="otlphttp/honeycomb",type="otlphttp",protocol="http",endpoint="https://api.honeycomb.io"}'),
    '1',
  );
  t.equal(value(text, 'otel_sentinel_tls_cert_not_after_timestamp_seconds{exporter="otlphttp/honeycomb"}'), String(Date.parse('2027-03-01T00:00:00Z') / 1000));
  t.equal(value(text, 'otel_sentinel_exporter_queue_seconds_to_full{exporter="otlphttp/honeycomb"}'), '+Inf', 'not filling: +Inf');
  t.equal(value(text, 'otel_sentinel_exporter_queue_fill_ratio{exporter="otlphttp/honeycomb"}'), '0.003');
  t.notOk(ofExporter(text, 'otlphttp/honeycomb').some((l) => l.startsWith('otel_sentinel_exporter_problem')), 'no problem series');

  // failing exporter: seven cause series, one of them 1; its problem; phases that ran only
  const causes = ofExporter(text, 'otlp/tempo').filter((l) => l.startsWith('otel_sentinel_exporter_cause'));
  t.same(
    causes,
    ['network', 'endpoint', 'tls', 'auth', 'backend', 'protocol', 'queue'].map(
      (c) => `otel_sentinel_exporter_cause{exporter="otlp/tempo",cause="${c}"} ${c === 'tls' ? 1 : 0}`,
    ),
  );
  t.equal(value(text, 'otel_sentinel_exporter_problem{exporter="otlp/tempo",cause="tls",reason="tls_unknown_authority",severity="critical"}'), '1');
  t.equal(value(text, 'otel_sentinel_exporter_up{exporter="otlp/tempo"}'), '0');
  t.equal(value(text, 'otel_sentinel_exporter_state{exporter="otlp/tempo",state="down"}'), '1');
  t.equal(value(text, 'otel_sentinel_exporter_state{exporter="otlp/jaeger",state="warn"}'), '1');
  t.equal(value(text, 'otel_sentinel_exporter_state{exporter="otlp_http/new",state="pending"}'), '1');
  t.same(
    ofExporter(text, 'otlp/tempo').filter((l) => l.startsWith('otel_sentinel_probe_duration_seconds')),
    [
      'otel_sentinel_probe_duration_seconds{exporter="otlp/tempo",phase="dns"} 0.001',
      'otel_sentinel_probe_duration_seconds{exporter="otlp/tempo",phase="connect"} 0.002',
      'otel_sentinel_probe_duration_seconds{exporter="otlp/tempo",phase="tls"} 0.01',
      'otel_sentinel_probe_duration_seconds{exporter="otlp/tempo",phase="total"} 0.02',
    ],
    'the request phase did not run: no series, no NaN',
  );
  t.equal(value(text, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="failure"}'), '1');
  t.equal(value(text, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="success"}'), '0', 'both results exist');
  t.notOk(ofExporter(text, 'otlp/tempo').some((l) => l.startsWith('otel_sentinel_exporter_queue')), 'no queue known: no queue series');

  // filling exporter
  t.equal(value(text, 'otel_sentinel_exporter_queue_fill_ratio{exporter="otlp/jaeger"}'), '0.812');
  t.equal(value(text, 'otel_sentinel_exporter_queue_seconds_to_full{exporter="otlp/jaeger"}'), '42');
  t.equal(value(text, 'otel_sentinel_exporter_cause{exporter="otlp/jaeger",cause="queue"}'), '1');
  t.notOk(ofExporter(text, 'otlp/jaeger').some((l) => l.startsWith('otel_sentinel_tls_cert')), 'plaintext: no certificate series');

  // never probed
  t.notOk(ofExporter(text, 'otlp_http/new').some((l) => l.startsWith('otel_sentinel_probe_duration')), 'no phase ran');
  t.equal(ofExporter(text, 'otlp_http/new').filter((l) => l.startsWith('otel_sentinel_exporter_cause')).length, 7);

  // collector
  t.equal(value(text, 'otel_sentinel_collector_up'), '1');
  t.same(samples(text).filter((l) => l.startsWith('otel_sentinel_collector_state')), ['otel_sentinel_collector_state{state="warn"} 1']);
  t.equal(value(text, 'otel_sentinel_collector_cause{cause="resources"}'), '1');
  t.equal(value(text, 'otel_sentinel_collector_problem{cause="resources",reason="fd_near_limit",severity="warning"}'), '1');
  t.equal(value(text, 'otel_sentinel_collector_open_fds'), '850');
  t.equal(value(text, 'otel_sentinel_collector_max_fds'), '1024');
  t.equal(value(text, 'otel_sentinel_collector_resident_memory_bytes'), '123456789');
  t.equal(value(text, 'otel_sentinel_collector_memory_limit_bytes'), '536870912');
  t.equal(value(text, 'otel_sentinel_collector_oom_kills_total'), '1');
  t.equal(value(text, 'otel_sentinel_collector_restarts_total'), '2');
});

t.test('series follow the diagnosis: problems end, exporters go, figures become unknown', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  t.equal(samples(await renderMetrics(registry, 'prometheus')).filter((l) => l.startsWith('otel_sentinel_collector_')).length, 2,
    'before any diagnosis only the two counters (at 0) of the collector exist');

  m.update(fixtureDiagnosis());
  m.recordProbe('otlp/tempo', false);
  let text = await renderMetrics(registry, 'prometheus');
  t.ok(ofExporter(text, 'otlp/tempo').length > 10);

  // tempo recovers, jaeger's queue drains, honeycomb goes away, the collector's figures are unknown
  m.update(
    fixtureDiagnosis({
      collector: {
        found: false, pid: null, open_fds: null, max_fds: null, rss_bytes: null, memory_limit_bytes: null,
        oom_kills: 3, restarts: 2, problems: [],
      },
      exporters: [
        failingExporter({ up: true, problems: [], phases: { dns_seconds: 0.001, connect_seconds: 0.002, tls_seconds: 0.01, request_seconds: 0.05 } }),
        fillingExporter({ problems: [], queue: { size: 0, capacity: 1000, seconds_to_full: null } }),
        pendingExporter(),
      ],
    }),
  );
  text = await renderMetrics(registry, 'prometheus');
  t.equal(ofExporter(text, 'otlphttp/honeycomb').length, 0, 'a gone exporter has no series at all');
  t.notOk(samples(text).some((l) => l.startsWith('otel_sentinel_exporter_problem')), 'no problem left: no problem series');
  t.equal(value(text, 'otel_sentinel_exporter_cause{exporter="otlp/tempo",cause="tls"}'), '0', 'cause series stay, at 0');
  t.equal(value(text, 'otel_sentinel_exporter_up{exporter="otlp/tempo"}'), '1');
  t.equal(value(text, 'otel_sentinel_probe_duration_seconds{exporter="otlp/tempo",phase="request"}'), '0.05', 'a phase that ran appears');
  t.equal(value(text, 'otel_sentinel_probes_total{exporter="otlp/tempo",result="failure"}'), '1', 'counters of kept exporters keep counting');
  t.equal(value(text, 'otel_sentinel_exporter_queue_seconds_to_full{exporter="otlp/jaeger"}'), '+Inf');
  t.equal(value(text, 'otel_sentinel_collector_up'), '0');
  t.equal(value(text, 'otel_sentinel_collector_cause{cause="resources"}'), '0');
  t.equal(value(text, 'otel_sentinel_collector_open_fds'), undefined, 'an unknown figure has no series (not 0)');
  t.equal(value(text, 'otel_sentinel_collector_memory_limit_bytes'), undefined);
  t.notOk(samples(text).some((l) => l.startsWith('otel_sentinel_collector_problem')));
  t.equal(value(text, 'otel_sentinel_collector_oom_kills_total'), '3', 'the counter rose by the difference (1 -> 3)');
  t.equal(value(text, 'otel_sentinel_collector_restarts_total'), '2', 'unchanged count, unchanged counter');

  // the same count seen again adds nothing; a count that starts over adds what it counts now
  m.update(fixtureDiagnosis({ collector: { ...fixtureDiagnosis().collector, oom_kills: 3, restarts: 2 } }));
  m.update(fixtureDiagnosis({ collector: { ...fixtureDiagnosis().collector, oom_kills: 1, restarts: 2 } }));
  text = await renderMetrics(registry, 'prometheus');
  t.equal(value(text, 'otel_sentinel_collector_oom_kills_total'), '4');
  t.equal(ofExporter(text, 'otlphttp/honeycomb').length > 0, true, 'an exporter that comes back has its series again');

  m.forget('otlp/tempo');
  text = await renderMetrics(registry, 'prometheus');
  t.equal(ofExporter(text, 'otlp/tempo').length, 0, 'forget() removes every series, counters included');

  m.setConfigReloadSuccessful(false);
  t.equal(value(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_config_last_reload_successful'), '0');
  m.setConfigReloadSuccessful(true);
  t.equal(value(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_config_last_reload_successful'), '1');
});

t.test('an exporter entry that changes in place is noticed when a new object is passed', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  const d = fixtureDiagnosis({ exporters: [healthyExporter()] });
  m.update(d);
  m.update(d);
  t.equal(value(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_exporter_up{exporter="otlphttp/honeycomb"}'), '1');
  const unknownTotal = { ...healthyExporter().phases, total_seconds: null };
  m.update(fixtureDiagnosis({ exporters: [healthyExporter({ up: false, endpoint: 'https://api.eu1.honeycomb.io', phases: unknownTotal })] }));
  const text = await renderMetrics(registry, 'prometheus');
  t.equal(value(text, 'otel_sentinel_exporter_up{exporter="otlphttp/honeycomb"}'), '0');
  t.same(
    ofExporter(text, 'otlphttp/honeycomb').filter((l) => l.startsWith('otel_sentinel_exporter_info')),
    ['otel_sentinel_exporter_info{exporter="otlphttp/honeycomb",type="otlphttp",protocol="http",endpoint="https://api.eu1.honeycomb.io"} 1'],
    'the info series of the old endpoint is gone',
  );
  t.equal(value(text, 'otel_sentinel_probe_duration_seconds{exporter="otlphttp/honeycomb",phase="total"}'), undefined, 'no total known');
  m.update(fixtureDiagnosis({ exporters: [healthyExporter({ phases: { ...unknownTotal, total_seconds: 0.5 } })] }));
  t.equal(value(await renderMetrics(registry, 'prometheus'), 'otel_sentinel_probe_duration_seconds{exporter="otlphttp/honeycomb",phase="total"}'), '0.5');
});

t.test('updateExporters() changes the series of the entries given and leaves every other alone', async (t) => {
  const registry = new Registry();
  const m = createMetrics(registry, { version: '1.2.3' });
  const other = healthyExporter({ name: 'otlp/other', endpoint: 'otel.example:4317' });
  m.update(fixtureDiagnosis({ exporters: [healthyExporter(), other] }));
  const before = ofExporter(await renderMetrics(registry, 'prometheus'), 'otlp/other');

  m.updateExporters([failingExporter({ name: 'otlphttp/honeycomb', phases: { ...failingExporter().phases, total_seconds: 0.25 } })]);
  const text = await renderMetrics(registry, 'prometheus');
  t.equal(value(text, 'otel_sentinel_exporter_up{exporter="otlphttp/honeycomb"}'), '0');
  t.ok(samples(text).some((l) => l.startsWith('otel_sentinel_exporter_problem{exporter="otlphttp/honeycomb"')), 'its problem is shown');
  t.equal(value(text, 'otel_sentinel_probe_duration_seconds{exporter="otlphttp/honeycomb",phase="total"}'), '0.25');
  t.same(ofExporter(text, 'otlp/other'), before, 'the exporter not given keeps its series');

  m.updateExporters([healthyExporter({ name: 'otlp/new', endpoint: 'new.example:4317' })]);
  const added = await renderMetrics(registry, 'prometheus');
  t.equal(value(added, 'otel_sentinel_exporter_up{exporter="otlp/new"}'), '1', 'an exporter first seen here gets its series');
  t.equal(value(added, 'otel_sentinel_probes_total{exporter="otlp/new",result="failure"}'), '0', 'and both probe counters');
  m.update(fixtureDiagnosis({ exporters: [other] }));
  const left = await renderMetrics(registry, 'prometheus');
  t.same(ofExporter(left, 'otlp/new'), [], 'a full update still drops exporters that went away');
  t.same(ofExporter(left, 'otlphttp/honeycomb'), []);
});
