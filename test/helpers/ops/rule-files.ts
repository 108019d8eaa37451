import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository root, for tests that read the files users deploy. */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
export const RULES_FILE = join(REPO_ROOT, 'config/prometheus/otel-sentinel.rules.yaml');
export const RULE_TESTS_DIR = join(REPO_ROOT, 'config/prometheus/tests');
export const RUNBOOK_BASE_URL = 'https://github.com/otel-sentinel/otel-sentinel/blob/main/docs/runbooks/';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The groups of the rule file, parsed. */
export function ruleGroups(file: string = RULES_FILE): RuleGroup[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups?: RuleGroup[] } | null;
  if (!doc?.groups) throw new Error(`${file}: no "groups:" list`);
  return doc.groups;
}

/** Every alerting rule of the rule file, in file order. */
export function alertRules(file: string = RULES_FILE): AlertRule[] {
  return ruleGroups(file).flatMap((g) => g.rules.filter((r) => typeof r.alert === 'string'));
}

/** The promtool unit test files (config/prometheus/tests/*.yaml), absolute paths. */
export function ruleTestFiles(): string[] {
  return readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(RULE_TESTS_DIR, f));
}

export interface AlertCase {
  readonly file: string;
  readonly alertname: string;
  readonly evalTime: string;
  readonly firing: number;
}

/** Every alert_rule_test case of every unit test file. */
export function alertCases(): AlertCase[] {
  const cases: AlertCase[] = [];
  for (const file of ruleTestFiles()) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      tests?: { alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[] }[];
    };
    for (const t of doc.tests ?? []) {
      for (const c of t.alert_rule_test ?? []) {
        cases.push({ file, alertname: c.alertname, evalTime: c.eval_time, firing: c.exp_alerts?.length ?? 0 });
      }
    }
  }
  return cases;
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading in a Markdown file. */
export function markdownAnchors(file: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (m?.[1]) anchors.add(githubAnchor(m[1]));
  }
  return anchors;
}
