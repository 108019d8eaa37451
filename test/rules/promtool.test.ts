import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { CONTRACT_REASONS, type ContractCause } from '../helpers/ops/contract-taxonomy.js';
import {
  REPO_ROOT,
  RULES_FILE,
  RUNBOOK_BASE_URL,
  alertCases,
  alertRules,
  markdownAnchors,
  ruleTestFiles,
} from '../helpers/ops/rule-files.js';

const run = promisify(execFile);
const PROMTOOL_TIMEOUT_MS = 60_000;

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: REPO_ROOT, timeout: PROMTOOL_TIMEOUT_MS });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const rules = alertRules();

t.test('promtool check rules accepts the rule file', async (t) => {
  const { code, output } = await promtool(['check', 'rules', RULES_FILE]);
  t.equal(code, 0, output);
  t.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

t.test('promtool test rules passes every unit test file', async (t) => {
  const files = ruleTestFiles();
  t.ok(files.length >= 3, 'unit test files exist');
  const { code, output } = await promtool(['test', 'rules', ...files]);
  t.equal(code, 0, output);
  t.notMatch(output, /FAILED/);
});

t.test('promtool test rules fails when an expectation is wrong', async (t) => {
  // Guards the harness itself: a healthy series expected to fire must make promtool fail.
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wrong.yaml');
  writeFileSync(
    file,
    [
      `rule_files: [${JSON.stringify(RULES_FILE)}]`,
      'evaluation_interval: 15s',
      'tests:',
      '  - interval: 15s',
      '    input_series:',
      `      - series: 'otel_sentinel_config_last_reload_successful{instance="a:13134", job="otel-sentinel"}'`,
      `        values: '1x40'`,
      '    alert_rule_test:',
      '      - eval_time: 8m',
      '        alertname: OtelSentinelConfigReloadFailed',
      '        exp_alerts: [{ exp_labels: { instance: "a:13134", job: otel-sentinel, severity: warning } }]',
      '',
    ].join('\n'),
  );
  const { code, output } = await promtool(['test', 'rules', file]);
  t.not(code, 0, 'promtool reports the failure');
  t.match(output, /FAILED/);
});

t.test('every alert has a unit test that fires it and one that keeps it silent', async (t) => {
  const cases = alertCases();
  const names = new Set(rules.map((r) => r.alert));
  for (const rule of rules) {
    const mine = cases.filter((c) => c.alertname === rule.alert);
    t.ok(mine.some((c) => c.firing > 0), `${rule.alert}: a case where it fires`);
    t.ok(mine.some((c) => c.firing === 0), `${rule.alert}: a case where it stays silent`);
  }
  for (const c of cases) t.ok(names.has(c.alertname), `${c.file}: ${c.alertname} is an alert of the rule file`);
});

t.test('every alert has severity, summary, description, fix and a runbook that exists', async (t) => {
  t.ok(rules.length >= 18, 'all alerts are there');
  for (const rule of rules) {
    const severity = rule.labels?.severity;
    t.ok(
      severity === 'critical' || severity === 'warning' || severity === '{{ $labels.severity }}',
      `${rule.alert}: severity is critical, warning, or the problem's own`,
    );
    if (severity === '{{ $labels.severity }}') {
      // the label can only be carried over when the expression keeps the problem series' labels
      t.match(rule.expr, /^otel_sentinel_(exporter|collector)_problem\{[^}]*\} == 1$/, `${rule.alert}: no aggregation`);
    }
    for (const key of ['summary', 'description', 'fix', 'runbook_url']) {
      t.ok((rule.annotations?.[key] ?? '').trim().length > 0, `${rule.alert}: annotation ${key}`);
    }
    t.ok(rule.for === undefined || /^\d+[smh]$/.test(rule.for), `${rule.alert}: for is a plain duration`);
    t.notOk('keep_firing_for' in rule, `${rule.alert}: no keep_firing_for (Prometheus 2.42 rejects it)`);
  }
});

t.test('runbook URLs point at runbook files and sections that exist', async (t) => {
  const causes = Object.keys(CONTRACT_REASONS) as ContractCause[];
  for (const cause of causes) {
    t.ok(existsSync(join(REPO_ROOT, 'docs/runbooks', `${cause}.md`)), `docs/runbooks/${cause}.md exists`);
  }
  for (const rule of rules) {
    const url = rule.annotations?.runbook_url ?? '';
    t.ok(url.startsWith(RUNBOOK_BASE_URL), `${rule.alert}: runbook_url under ${RUNBOOK_BASE_URL}`);
    const [path = '', anchor = ''] = url.slice(RUNBOOK_BASE_URL.length).split('#');
    const file = join(REPO_ROOT, 'docs/runbooks', path);
    if (!t.ok(existsSync(file), `${rule.alert}: docs/runbooks/${path} exists`)) continue;
    const anchors = markdownAnchors(file);
    if (anchor === '{{ $labels.reason }}') {
      // the section is the problem's reason: every reason of that cause needs one
      const cause = path.replace(/\.md$/, '') as ContractCause;
      const reasons: readonly string[] = CONTRACT_REASONS[cause] ?? [];
      t.ok(reasons.length > 0, `${rule.alert}: ${path} is a cause's runbook`);
      for (const reason of reasons) t.ok(anchors.has(reason), `${rule.alert}: ${path} has a section #${reason}`);
    } else {
      t.ok(anchors.has(anchor), `${rule.alert}: ${path} has a section #${anchor}`);
    }
  }
});

t.test('the PrometheusRule manifest carries exactly the rule file', async (t) => {
  const manifest = parse(readFileSync(join(REPO_ROOT, 'deploy/kubernetes/prometheusrule.yaml'), 'utf8')) as {
    kind: string;
    spec: { groups: unknown };
  };
  const source = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: unknown };
  t.equal(manifest.kind, 'PrometheusRule');
  t.same(manifest.spec.groups, source.groups, 'same groups, same rules, same text');
  const check = await run('node', ['scripts/gen-prometheusrule.mjs', '--check'], { cwd: REPO_ROOT }).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
  t.equal(check, 0, 'scripts/gen-prometheusrule.mjs --check finds it up to date');
});

t.test('the Alertmanager inhibitions suggested in docs/alerts.md are valid and name real alerts', async (t) => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/alerts.md'), 'utf8');
  const block = /```yaml\n(inhibit_rules:[\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) {
    t.fail('docs/alerts.md has an inhibit_rules block');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-am-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, `route:\n  receiver: default\nreceivers:\n  - name: default\n${block}`);
  const out = await run('amtool', ['check-config', file], { timeout: PROMTOOL_TIMEOUT_MS }).then(
    (r) => ({ code: 0, text: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, text: `${e.stdout}${e.stderr}` }),
  );
  t.equal(out.code, 0, out.text);
  t.match(out.text, /2 inhibit rules/);
  const names = rules.map((r) => r.alert);
  for (const m of block.matchAll(/alertname(=~?)"([^"]+)"/g)) {
    const [, op, value = ''] = m;
    const re = new RegExp(`^(?:${op === '=~' ? value : value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})$`);
    const alternatives = op === '=~' ? (/\((.*)\)/.exec(value)?.[1]?.split('|') ?? [value]) : [value];
    t.ok(names.some((n) => re.test(n)), `alertname${op}"${value}" matches an alert`);
    const prefix = op === '=~' ? value.slice(0, value.indexOf('(')) : '';
    for (const alt of alternatives) t.ok(names.includes(prefix + alt) || op === '=', `${prefix}${alt} is an alert`);
  }
});
