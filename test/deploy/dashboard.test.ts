import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  allPanels,
  dashboardQueries,
  grafanaToPromQL,
  loadDashboard,
  type GrafanaPanel,
} from '../helpers/ops/dashboard-queries.js';
import { startPrometheus, type PrometheusServer } from '../helpers/ops/prometheus-server.js';
import { REPO_ROOT, RULES_FILE, alertRules } from '../helpers/ops/rule-files.js';

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

t.test('the dashboard is an importable Grafana dashboard', async (t) => {
  t.equal(dashboard.uid, 'otel-sentinel');
  t.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`);
  t.equal((dashboard as { id?: unknown }).id, null, 'no instance-specific id');
  const inputs = (dashboard as { __inputs?: { type: string; pluginId: string }[] }).__inputs ?? [];
  t.ok(inputs.some((i) => i.type === 'datasource' && i.pluginId === 'prometheus'), '__inputs asks for a Prometheus');
  const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  t.match(vars.get('datasource'), { type: 'datasource', query: 'prometheus' });
  t.match(vars.get('instance'), { type: 'query', datasource: DATASOURCE, includeAll: true, multi: true });
  t.match(vars.get('exporter'), { type: 'query', datasource: DATASOURCE, includeAll: true, multi: true });
  t.match(vars.get('instance')?.definition, /^label_values\(otel_sentinel_exporter_up, instance\)$/);
  t.match(vars.get('exporter')?.definition, /^label_values\(otel_sentinel_exporter_up\{instance=~"\$instance"\}, exporter\)$/);
});

t.test('every panel has a unique id, a place, the datasource variable and queries with expr', async (t) => {
  const ids = new Set<number>();
  for (const p of panels) {
    t.notOk(ids.has(p.id), `panel id ${p.id} is unique`);
    ids.add(p.id);
    t.ok(p.title.length > 0, `panel ${p.id} has a title`);
    const g = p.gridPos;
    t.ok(g && g.w > 0 && g.h > 0 && g.x >= 0 && g.x + g.w <= 24 && g.y >= 0, `panel ${p.id} "${p.title}" gridPos fits 24 columns`);
    t.same(p.datasource, DATASOURCE, `panel ${p.id} "${p.title}" uses \${datasource}`);
    if (p.type === 'text' || p.type === 'row') continue;
    t.ok((p.targets ?? []).length > 0, `panel ${p.id} "${p.title}" has queries`);
    const refIds = new Set<string>();
    for (const target of p.targets ?? []) {
      t.ok(typeof target.expr === 'string' && target.expr.trim().length > 0, `panel ${p.id} ${target.refId}: expr`);
      t.same(target.datasource, DATASOURCE, `panel ${p.id} ${target.refId}: datasource`);
      t.notOk(refIds.has(String(target.refId)), `panel ${p.id}: refId ${target.refId} unique`);
      refIds.add(String(target.refId));
    }
  }
});

t.test('panels do not overlap', async (t) => {
  const boxes = panels.filter((p): p is GrafanaPanel & { gridPos: NonNullable<GrafanaPanel['gridPos']> } => !!p.gridPos);
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const overlap =
        a.gridPos.x < b.gridPos.x + b.gridPos.w &&
        b.gridPos.x < a.gridPos.x + a.gridPos.w &&
        a.gridPos.y < b.gridPos.y + b.gridPos.h &&
        b.gridPos.y < a.gridPos.y + a.gridPos.h;
      t.notOk(overlap, `"${a.title}" and "${b.title}" do not overlap`);
    }
  }
});

t.test('the dashboard shows the metrics docs/metrics.md documents', async (t) => {
  const exprs = dashboardQueries().map((q) => q.raw).join('\n');
  for (const metric of [
    'otel_sentinel_exporter_up',
    'otel_sentinel_exporter_cause',
    'otel_sentinel_exporter_problem',
    'otel_sentinel_probe_duration_seconds',
    'otel_sentinel_probes_total',
    'otel_sentinel_tls_cert_not_after_timestamp_seconds',
    'otel_sentinel_exporter_queue_fill_ratio',
    'otel_sentinel_exporter_queue_seconds_to_full',
    'otel_sentinel_exporter_data_lost_per_second',
    'otel_sentinel_collector_up',
    'otel_sentinel_collector_problem',
    'otel_sentinel_collector_open_fds',
    'otel_sentinel_collector_max_fds',
    'otel_sentinel_collector_resident_memory_bytes',
    'otel_sentinel_collector_memory_limit_bytes',
    'otel_sentinel_collector_oom_kills_total',
    'otel_sentinel_collector_restarts_total',
    'otel_sentinel_config_last_reload_successful',
  ]) {
    t.ok(exprs.includes(metric), `a panel queries ${metric}`);
  }
  const problems = panels.find((p) => p.title === 'Active exporter problems');
  t.match(problems?.targets?.[0]?.expr, /by \(.*reason.*severity.*\).*otel_sentinel_exporter_problem.*== 1/);
  const text = panels.find((p) => p.type === 'text');
  t.match(JSON.stringify(text?.options), /status page/, 'a text panel points at the status page for fixes');
  t.match(JSON.stringify(text?.options), /otel-sentinel check/);
});

t.test('Grafana variables are replaced, unknown ones are refused', async (t) => {
  t.equal(
    grafanaToPromQL('rate(x{instance=~"$instance", e=~"${exporter}"}[$__rate_interval]) + y[$__range]'),
    'rate(x{instance=~".*", e=~".*"}[1m]) + y[1h]',
  );
  t.throws(() => grafanaToPromQL('x{a="$unknown"}'), /no value for Grafana variable \$unknown/);
});

t.test('the provisioning files mount the dashboard and a Prometheus data source', async (t) => {
  const dashboards = parse(readFileSync(join(REPO_ROOT, 'grafana/provisioning/dashboards/otel-sentinel.yaml'), 'utf8'));
  t.match(dashboards, { apiVersion: 1, providers: [{ type: 'file', options: { path: String } }] });
  const datasources = parse(readFileSync(join(REPO_ROOT, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'));
  t.match(datasources, { apiVersion: 1, datasources: [{ type: 'prometheus', url: String }] });
});

t.test('a real Prometheus parses every query and loads every rule', async (t) => {
  let prom: PrometheusServer | undefined;
  t.teardown(async () => prom?.stop());
  prom = await startPrometheus({ ruleFiles: [RULES_FILE] });

  const queries = dashboardQueries();
  t.ok(queries.length >= 20, `${queries.length} queries`);
  for (const q of queries) {
    const res = await prom.query(q.promql);
    t.equal(res.status, 'success', `${q.source}: ${q.promql}${res.error ? ` -> ${res.error}` : ''}`);
  }

  // the check can fail: Prometheus rejects a broken expression
  const broken = await prom.query('sum by (exporter (otel_sentinel_exporter_up)');
  t.equal(broken.status, 'error', 'a broken expression is rejected');
  t.equal(broken.errorType, 'bad_data');

  // the rule file loads in a real Prometheus too, with the same alerts
  const names = alertRules().map((r) => r.alert).sort();
  const rules = await prom.api<{ groups: { rules: { name: string; health: string; type: string }[] }[] }>('rules');
  t.equal(rules.status, 'success');
  const loaded = (rules.data?.groups ?? []).flatMap((g) => g.rules).filter((r) => r.type === 'alerting');
  t.same(loaded.map((r) => r.name).sort(), names, 'every alert is loaded');
});
