/**
 * Agreement: otel-sentinel's up/down and cause for each exporter against what the real collector's
 * own telemetry says about real traffic through it (otelcol_exporter_sent_* rising = up,
 * otelcol_exporter_send_failed_* or enqueue_failed_* rising = down). One collector with one exporter
 * per scenario in one pipeline fans the load out to all of them at once.
 *
 * Writes the table to test-output/collector-agreement.md; with OTEL_SENTINEL_UPDATE_DOCS=1 also
 * into docs/collector.md (between the agreement markers).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startCollector } from '../helpers/collector/collector-process.js';
import { collectorView, fetchPage, type CollectorExporterView } from '../helpers/collector/metrics-pages.js';
import { startSentinelBeside } from '../helpers/collector/sentinel-beside.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';
import { startScenarios, WRONG_TOKEN } from '../helpers/collector/agreement-scenarios.js';
import { agreementTable, RELEASE, spliceTable, type AgreementRow } from '../helpers/collector/agreement-table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// deadlines below are for a loaded machine; on an idle one the file takes about 20 s
t.setTimeout(300_000);

t.test('otel-sentinel agrees with the real collector on every scenario', async (t) => {
  const set = await startScenarios();
  t.teardown(() => set.close());
  const collector = await startCollector({
    queueSize: 500,
    exporters: Object.fromEntries(set.scenarios.map((s) => [s.id, s.settings])),
  });
  t.teardown(() => collector.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 10, intervalMs: 100 });
  t.teardown(() => load.stop());
  // the probe deadline is generous: on a loaded machine a short one times out on healthy backends
  const sentinel = await startSentinelBeside(collector, { interval: '5s', timeout: '4s' });
  t.teardown(() => sentinel.stop());

  // the collector's verdict on real traffic: from a baseline, until every exporter has either sent
  // or failed to send spans
  const delta = (a: CollectorExporterView | undefined, b: CollectorExporterView | undefined) => ({
    sent: (b?.sent ?? 0) - (a?.sent ?? 0),
    failed: (b?.sendFailed ?? 0) - (a?.sendFailed ?? 0) + (b?.enqueueFailed ?? 0) - (a?.enqueueFailed ?? 0),
  });
  await waitFor('every exporter to have sent or failed', async () => {
    const v = collectorView(await collector.metrics());
    return set.scenarios.every((s) => (v.get(s.id)?.sent ?? 0) + (v.get(s.id)?.sendFailed ?? 0) > 0) ? true : undefined;
  });
  const before = collectorView(await collector.metrics());
  const after = await waitFor(
    'every exporter to send or fail again',
    async () => {
      const v = collectorView(await collector.metrics());
      return set.scenarios.every((s) => {
        const d = delta(before.get(s.id), v.get(s.id));
        return d.sent > 0 || d.failed > 0;
      })
        ? v
        : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const collectorUp = (id: string): boolean => {
    const d = delta(before.get(id), after.get(id));
    return d.sent > 0 && d.failed === 0;
  };
  // otel-sentinel's verdicts, read until they all agree (a probe round may still be under way)
  let seen = await sentinel.view();
  const agrees = (id: string, cause: string | null): boolean => {
    const v = seen.get(id);
    return v?.up === collectorUp(id) && (cause === null ? v.causes.size === 0 : v.causes.has(cause));
  };
  await waitFor(
    'otel-sentinel to agree on every exporter',
    async () => {
      seen = await sentinel.view();
      return set.scenarios.every((s) => agrees(s.id, s.cause)) ? true : undefined;
    },
    { timeoutMs: 60_000 },
  ).catch(() => {
    // the assertions below say where they differ
  });

  const rows: AgreementRow[] = set.scenarios.map((s) => {
    const d = delta(before.get(s.id), after.get(s.id));
    const v = seen.get(s.id);
    return {
      scenario: s,
      collectorUp: collectorUp(s.id),
      sentDelta: d.sent,
      failedDelta: d.failed,
      collectorError: collector.lastErrors().get(s.id) ?? '',
      sentinelUp: v?.up ?? null,
      causes: [...(v?.causes ?? [])].sort(),
      reasons: [...(v?.reasons ?? [])].sort(),
    };
  });
  const table = agreementTable(rows);
  mkdirSync(join(root, 'test-output'), { recursive: true });
  writeFileSync(join(root, 'test-output', 'collector-agreement.md'), table);
  if (process.env['OTEL_SENTINEL_UPDATE_DOCS'] === '1') {
    const doc = join(root, 'docs', 'collector.md');
    writeFileSync(doc, spliceTable(readFileSync(doc, 'utf8'), table));
  }

  for (const r of rows) {
    const s = r.scenario;
    t.test(`${s.id}: ${s.fault}`, async (t) => {
      const expectUp = s.cause === null;
      t.equal(r.collectorUp, expectUp, `the collector ${expectUp ? 'sends' : 'fails to send'} (sent +${r.sentDelta}, failed +${r.failedDelta}) ${r.collectorError}`);
      t.equal(r.sentinelUp, r.collectorUp, `otel-sentinel says ${r.sentinelUp ? 'up' : 'down'}, as the collector does`);
      if (expectUp) t.same(r.causes, [], 'no cause: no false alarm');
      else t.ok(r.causes.includes(s.cause!), `cause ${s.cause} (seen: ${r.causes.join(', ')}; ${r.reasons.join(', ')})`);
    });
  }
  t.match(table, RELEASE, 'the table names the collector release');

  t.test('the wrong token the exporters send appears nowhere otel-sentinel writes', async (t) => {
    const pages = await Promise.all([`${sentinel.url}/metrics`, `${sentinel.url}/api/v1/diagnosis`, `${sentinel.url}/`].map((u) => fetchPage(u)));
    for (const text of [...pages, sentinel.log()]) t.notMatch(text, WRONG_TOKEN);
    t.match(pages[1], /"forbidden"/, 'the diagnosis names the refusal');
  });
});
