import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './rule-files.js';

export const DASHBOARD_FILE = join(REPO_ROOT, 'grafana/otel-sentinel.json');

export interface GrafanaTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly [key: string]: unknown;
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly GrafanaTarget[];
  readonly panels?: readonly GrafanaPanel[];
  readonly [key: string]: unknown;
}

export interface GrafanaVariable {
  readonly type: string;
  readonly name: string;
  readonly query?: string | { readonly query?: string };
  readonly definition?: string;
  readonly [key: string]: unknown;
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly GrafanaPanel[];
  readonly templating: { readonly list: readonly GrafanaVariable[] };
  readonly [key: string]: unknown;
}

/** One PromQL query of the dashboard: a panel target, or the selector of a label_values() variable. */
export interface DashboardQuery {
  /** where it comes from, for messages: `panel 7 "Active exporter problems" A` or `variable exporter` */
  readonly source: string;
  readonly panelTitle: string | null;
  /** the text as it is in the dashboard, with Grafana variables */
  readonly raw: string;
  /** valid PromQL: Grafana variables replaced by values (see grafanaToPromQL) */
  readonly promql: string;
  /**
   * true when an empty answer is normal on a healthy system: problem tables (`== 1`), queues that
   * are not filling (`< +Inf`), certificates of plaintext exporters.
   */
  readonly mayBeEmpty: boolean;
}

/** The dashboard JSON, parsed. */
export function loadDashboard(file: string = DASHBOARD_FILE): GrafanaDashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as GrafanaDashboard;
}

/** Every panel, rows' nested panels included, in order. */
export function allPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  const out: GrafanaPanel[] = [];
  const walk = (ps: readonly GrafanaPanel[]): void => {
    for (const p of ps) {
      out.push(p);
      if (p.panels) walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Values used for Grafana's variables; every `$x` in a query must be one of these. */
export const DEFAULT_VARIABLE_VALUES: Readonly<Record<string, string>> = {
  instance: '.*',
  exporter: '.*',
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/**
 * Replaces Grafana's variables (`$x`, `${x}`, `${x:format}`, `[[x]]`) with values. Throws on a
 * variable it has no value for, so a new dashboard variable cannot slip past the tests.
 */
export function grafanaToPromQL(expr: string, values: Readonly<Record<string, string>> = DEFAULT_VARIABLE_VALUES): string {
  const replace = (name: string, whole: string): string => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for Grafana variable ${whole} in: ${expr}`);
    return v;
  };
  return expr
    .replace(/\$\{(\w+)(?::\w+)?\}/g, (whole, name: string) => replace(name, whole))
    .replace(/\[\[(\w+)(?::\w+)?\]\]/g, (whole, name: string) => replace(name, whole))
    .replace(/\$(\w+)/g, (whole, name: string) => replace(name, whole));
}

const LABEL_VALUES = /^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$/s;

/**
 * Every PromQL query of the dashboard: each panel target's `expr`, and for each query variable the
 * series selector inside its `label_values(selector, label)`.
 */
export function dashboardQueries(
  dashboard: GrafanaDashboard = loadDashboard(),
  values: Readonly<Record<string, string>> = DEFAULT_VARIABLE_VALUES,
): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const p of allPanels(dashboard)) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr !== 'string') continue;
      const promql = grafanaToPromQL(t.expr, values);
      queries.push({
        source: `panel ${p.id} "${p.title}" ${t.refId ?? '?'}`,
        panelTitle: p.title,
        raw: t.expr,
        promql,
        mayBeEmpty: /==\s*1\b|<\s*\+Inf|tls_cert_not_after/.test(t.expr),
      });
    }
  }
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : (v.query?.query ?? v.definition ?? '');
    const m = LABEL_VALUES.exec(text);
    if (!m?.[1]) throw new Error(`variable ${v.name}: expected label_values(selector, label), got: ${text}`);
    queries.push({
      source: `variable ${v.name}`,
      panelTitle: null,
      raw: text,
      promql: grafanaToPromQL(m[1], values),
      mayBeEmpty: false,
    });
  }
  return queries;
}
