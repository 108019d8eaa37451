// The whole paging path, for real: loopback OTLP/HTTP backends that fail on command, otel-sentinel
// probing them, Prometheus scraping it and evaluating the shipped alert rules, Alertmanager routing
// the alerts, and a webhook receiver standing in for the pager. Each of four exporters fails with
// one cause at the same time (network, tls, auth, backend); the matching alert must arrive with its
// labels and annotations, and its resolve must arrive once the backend recovers. Last, the sentinel
// stops and OtelSentinelDown pages: the scrape job follows the job-name convention of docs/alerts.md.
//
// The rules run from a copy of config/prometheus/otel-sentinel.rules.yaml in which every `for:` is
// 2s instead of minutes (the shipped durations keep one bad probe round from paging; the test cannot
// wait that long). The first subtest asserts that the copy differs in nothing else.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { testCerts } from '../helpers/certs.js';
import { RULES_FILE, REPO_ROOT, RUNBOOK_BASE_URL, markdownAnchors, type RuleGroup } from '../helpers/ops/rule-files.js';
import { startAlertmanager, type Alertmanager } from '../helpers/e2e/alertmanager.js';
import { startCollectorStandIn, type CollectorStandIn } from '../helpers/e2e/collector-stand-in.js';
import { startE2ePrometheus, type E2ePrometheus } from '../helpers/e2e/prometheus.js';
import { startSentinel, type Sentinel } from '../helpers/e2e/sentinel.js';
import { writeShortForRules } from '../helpers/e2e/short-for-rules.js';
import { startSwitchableBackend, type BackendMode, type SwitchableBackend } from '../helpers/e2e/switchable-backend.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { startWebhookReceiver, type WebhookAlert, type WebhookReceiver } from '../helpers/e2e/webhook-receiver.js';

// The whole file normally takes well under a minute; the margin is for a loaded 2-core machine.
t.setTimeout(180_000);

const SHORT_FOR = '2s';
/** deadline for one step of the chain (probe, scrape, rule evaluation, routing, notification) */
const STEP_MS = 60_000;

interface Case {
  readonly exporter: string;
  readonly failure: BackendMode;
  readonly alertname: string;
  readonly cause: string;
  readonly reason: string;
  /** words the reason's own branch of the `fix` annotation has (not the generic fallback) */
  readonly fixSays: RegExp;
}

const CASES: readonly Case[] = [
  { exporter: 'otlphttp/network', failure: 'refused', alertname: 'OtelExporterNetworkFailure', cause: 'network', reason: 'connection_refused', fixSays: /Nothing accepts connections/ },
  { exporter: 'otlphttp/tls', failure: 'untrusted', alertname: 'OtelExporterTLSFailure', cause: 'tls', reason: 'tls_unknown_authority', fixSays: /tls\.ca_file/ },
  { exporter: 'otlphttp/auth', failure: 'unauthorized', alertname: 'OtelExporterAuthFailure', cause: 'auth', reason: 'unauthorized', fixSays: /credentials are missing or invalid/ },
  { exporter: 'otlphttp/backend', failure: 'unavailable', alertname: 'OtelExporterBackendUnavailable', cause: 'backend', reason: 'unavailable', fixSays: /502\/503\/504/ },
];

t.test('the test rule file differs from the shipped one only in its for: durations', async (t) => {
  const dest = join(t.testdir({}), 'rules.yaml');
  const rewrite = writeShortForRules(RULES_FILE, dest, SHORT_FOR);
  t.same(rewrite.otherChanges, [], 'no line but a for: line changed');
  t.ok(rewrite.changedLines.length >= 10, `for: lines rewritten: ${rewrite.changedLines.length}`);
  // independently of the line diff: the parsed rules are equal once `for` is set aside
  const shipped = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: RuleGroup[] }).groups;
  const short = (parse(readFileSync(dest, 'utf8')) as { groups: RuleGroup[] }).groups;
  const withoutFor = (gs: RuleGroup[]): unknown => gs.map((g) => ({ ...g, rules: g.rules.map(({ for: _f, ...rest }) => rest) }));
  t.same(withoutFor(short), withoutFor(shipped), 'expressions, labels and annotations identical');
  const shippedFor = shipped.flatMap((g) => g.rules.map((r) => r.for !== undefined));
  t.same(short.flatMap((g) => g.rules.map((r) => r.for !== undefined)), shippedFor, 'the same rules have a for:');
  t.ok(short.flatMap((g) => g.rules).every((r) => r.for === undefined || r.for === SHORT_FOR), `every for: is ${SHORT_FOR}`);
});

t.test('each failing cause pages through Prometheus and Alertmanager, then resolves', async (t) => {
  const dir = t.testdir({});
  const rulesFile = join(dir, 'otel-sentinel.rules.yaml');
  writeShortForRules(RULES_FILE, rulesFile, SHORT_FOR);
  const certs = testCerts();

  // The exporters' backends, healthy at first.
  const backends = new Map<string, SwitchableBackend>();
  t.teardown(() => Promise.all([...backends.values()].map((b) => b.close())));
  for (const c of CASES) {
    backends.set(
      c.exporter,
      await startSwitchableBackend(
        c.cause === 'tls' ? { tls: { trusted: certs.server, untrusted: certs.untrusted } } : {},
      ),
    );
  }
  const backend = (c: Case): SwitchableBackend => backends.get(c.exporter)!;
  const exporters = Object.fromEntries(
    CASES.map((c) => [c.exporter, c.cause === 'tls' ? { endpoint: backend(c).endpoint, tls: { ca_file: certs.ca.certFile } } : { endpoint: backend(c).endpoint }]),
  );

  // A collector process for the sentinel to find (no fd trouble), its metrics off.
  const collector: CollectorStandIn = await startCollectorStandIn({ exporters: [] });
  t.teardown(() => collector.close());
  // A generous probe timeout: only healthy probes can run into it (every failure here is immediate),
  // and a loaded machine must not turn them into failures.
  const sentinel: Sentinel = await startSentinel({ exporters, collectorPid: collector.pid, telemetryUrl: '', interval: '1s', timeout: '800ms' });
  t.teardown(() => sentinel.stop());

  const webhook: WebhookReceiver = await startWebhookReceiver();
  t.teardown(() => webhook.close());
  const am: Alertmanager = await startAlertmanager({ webhookUrl: webhook.url, groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' });
  t.teardown(() => am.stop());
  const prom: E2ePrometheus = await startE2ePrometheus({
    // job name by the convention of docs/alerts.md: it must contain "otel-sentinel"
    scrapeConfigs: [{ job_name: 'otel-sentinel', static_configs: [{ targets: [sentinel.target] }] }],
    ruleFiles: [rulesFile],
    alertmanager: `127.0.0.1:${am.port}`,
    scrapeInterval: '1s',
    evaluationInterval: '1s',
  });
  t.teardown(() => prom.stop());

  const context = (): string =>
    `\nwebhook got: ${JSON.stringify(webhook.alerts().map((a) => [a.status, a.labels['alertname'], a.labels['exporter']]))}` +
    `\nprometheus log: ${prom.log()}\nalertmanager log: ${am.log()}\nsentinel log: ${sentinel.log()}`;

  // Prometheus loaded every rule of the file; `ruleErrors` lists those whose last evaluation failed
  // (a many-to-many match in an `or on (...)`, say, fails only once real series exist).
  const loadedRules = async (): Promise<{ name: string; health: string; lastError?: string }[]> => {
    const r = await prom.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('rules');
    return (r.data?.groups ?? []).flatMap((g) => g.rules);
  };
  const ruleErrors = async (): Promise<string[]> =>
    (await loadedRules()).filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError ?? ''}`);
  t.equal((await loadedRules()).length, (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: RuleGroup[] }).groups.flatMap((g) => g.rules).length, 'every rule loaded');

  // Healthy: every exporter up in Prometheus, the rules evaluated a few times, nothing pending or firing.
  const healthySince = await waitFor(
    'Prometheus to see every exporter up',
    async () => {
      const r = await prom.query('count(otel_sentinel_exporter_up{job="otel-sentinel"} == 1)');
      const v = (r.data?.result as { value: [number, string] }[] | undefined)?.[0]?.value[1];
      return v === String(CASES.length) ? Date.now() / 1000 : undefined;
    },
    { timeoutMs: STEP_MS, lastSeen: context },
  );
  await waitFor(
    'three rule evaluations after the exporters were seen up',
    async () => {
      const r = await prom.api<{ groups: { lastEvaluation: string }[] }>('rules');
      const groups = r.data?.groups ?? [];
      return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) / 1000 > healthySince + 3) ? true : undefined;
    },
    { timeoutMs: STEP_MS },
  );
  t.same(await ruleErrors(), [], 'every rule evaluates without error on healthy series');
  // Firing, not pending: on a loaded machine one slow healthy probe may start a `for:` timer, which
  // is exactly what `for:` is there to absorb.
  const healthyAlerts = await prom.alerts();
  t.same(healthyAlerts.filter((a) => a.state === 'firing').map((a) => a.labels['alertname']), [], 'no alert firing while everything is healthy');
  for (const a of healthyAlerts) t.comment(`pending while healthy: ${a.labels['alertname']} ${a.labels['exporter'] ?? ''}`);
  t.same(webhook.alerts(), [], 'nobody paged while everything is healthy');

  // Break every backend, each in its own way.
  const brokenAt = Date.now();
  await Promise.all(CASES.map((c) => backend(c).setMode(c.failure)));

  const fired = new Map<string, WebhookAlert>();
  for (const c of CASES) {
    const alert = await waitFor(
      `${c.alertname} for ${c.exporter} at the webhook`,
      () => webhook.find({ alertname: c.alertname, exporter: c.exporter }, 'firing'),
      { timeoutMs: STEP_MS, lastSeen: context },
    );
    fired.set(c.exporter, alert);
    t.comment(`${c.alertname} for ${c.exporter} paged ${((Date.now() - brokenAt) / 1000).toFixed(1)}s after the failure began`);
  }
  // what the sentinel itself says, to compare the alert's labels against
  const diagnosis = await sentinel.diagnosis();
  t.same(await ruleErrors(), [], 'every rule evaluates without error on failing series');

  for (const c of CASES) {
    t.test(`${c.alertname}: ${c.exporter} ${c.cause}/${c.reason}`, async (t) => {
      const a = fired.get(c.exporter)!;
      const problem = diagnosis.exporters.find((e) => e.name === c.exporter)?.problems.find((p) => p.cause === c.cause);
      t.ok(problem, `the sentinel reports ${c.cause} on ${c.exporter}`);
      t.match(a.labels, {
        alertname: c.alertname,
        exporter: c.exporter,
        cause: c.cause,
        reason: c.reason,
        severity: problem?.severity ?? 'critical',
        job: 'otel-sentinel',
        instance: sentinel.target,
      }, 'labels: the problem series, the target and the alert name');
      t.equal(problem?.reason, c.reason, 'the same reason as the diagnosis');
      const ann = a.annotations;
      t.match(ann['summary'], c.exporter, 'summary names the exporter');
      t.match(ann['summary'], c.reason, 'summary names the reason');
      t.match(ann['description'], c.exporter, 'description names the exporter');
      t.match(ann['fix'], c.fixSays, 'fix is the branch for this reason');
      t.notMatch(ann['fix'], /See the runbook section/, 'not the generic fallback');
      t.match(ann['fix'], `otel-sentinel check --exporter ${c.exporter}`, 'fix says how to get the exact fix');
      t.equal(ann['runbook_url'], `${RUNBOOK_BASE_URL}${c.cause}.md#${c.reason}`, 'runbook_url points at the reason');
      t.ok(markdownAnchors(join(REPO_ROOT, 'docs/runbooks', `${c.cause}.md`)).has(c.reason), 'the runbook has that section');
      for (const [k, v] of Object.entries(ann)) t.notMatch(v, /\{\{|\}\}|<no value>/, `annotation ${k} fully rendered`);
      t.ok(Date.parse(a.startsAt) > 0, 'startsAt set');
    });
  }

  // Recover: every backend healthy again; every alert above must resolve.
  const recoveredAt = Date.now();
  await Promise.all(CASES.map((c) => backend(c).setMode('healthy')));
  for (const c of CASES) {
    const resolved = await waitFor(
      `the resolve of ${c.alertname} for ${c.exporter}`,
      () => webhook.find({ alertname: c.alertname, exporter: c.exporter }, 'resolved'),
      { timeoutMs: STEP_MS, lastSeen: context },
    );
    t.comment(`${c.alertname} for ${c.exporter} resolved ${((Date.now() - recoveredAt) / 1000).toFixed(1)}s after the recovery`);
    t.match(resolved.labels, { cause: c.cause, reason: c.reason, instance: sentinel.target }, `${c.alertname} resolved with the same labels`);
    t.ok(Date.parse(resolved.endsAt) >= Date.parse(resolved.startsAt), 'endsAt set');
  }

  t.same(webhook.malformed, [], 'every notification was JSON');
  t.ok(webhook.payloads.every((p) => p.version === '4' && p.receiver === 'webhook'), 'Alertmanager webhook payloads, version 4');
  const names = [...new Set(webhook.alerts().map((a) => a.labels['alertname'] ?? ''))];
  t.comment(`alerts that paged: ${names.join(', ')}`);
  // failing probes are a share of all probes: the intermittent-failure alert may join, nothing else
  const other = names.filter((n) => !CASES.some((c) => c.alertname === n) && n !== 'OtelExporterIntermittentFailures');
  t.same(other, [], 'no other alert paged');

  // The sentinel itself goes away: OtelSentinelDown selects it by the job-name convention.
  await sentinel.stop();
  const down = await waitFor('OtelSentinelDown at the webhook', () => webhook.find({ alertname: 'OtelSentinelDown' }, 'firing'), {
    timeoutMs: STEP_MS,
    lastSeen: context,
  });
  t.match(down.labels, { job: 'otel-sentinel', instance: sentinel.target, severity: 'critical' }, 'OtelSentinelDown names the target');
  t.match(down.annotations['summary'], sentinel.target, 'its summary names the instance');
  t.equal(down.annotations['runbook_url'], `${RUNBOOK_BASE_URL}sentinel.md#sentinel-down`);
});
