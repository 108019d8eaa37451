import t, { type Test } from 'tap';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer, type RunningHttpServer } from '../helpers/servers.js';
import {
  collectorYaml,
  configDir,
  probesOf,
  sample,
  sentinelYaml,
  seriesOf,
  startChild,
  startInProcess,
  waitFor,
  type InProcessDaemon,
} from '../helpers/reliability-harness.js';

const RELOAD_OK = 'otel_sentinel_config_last_reload_successful';

async function backend(t: Test, o: Parameters<typeof startHttpServer>[0] = {}): Promise<RunningHttpServer> {
  const s = await startHttpServer(o);
  t.teardown(() => s.close());
  return s;
}

const http = (s: RunningHttpServer): { endpoint: string } => ({ endpoint: `http://127.0.0.1:${s.port}` });

/**
 * Waits until /metrics shows the exporter probed successfully at least `n` times and up. The probe
 * counters move at once, the exporter's other series with the next batch (up to 100 ms later):
 * both are waited for.
 */
const probedUp = (d: InProcessDaemon, name: string, n = 2): Promise<number> =>
  waitFor(`${name} to be probed up ${n} times`, async () => {
    const m = await d.metrics();
    const ok = sample(m, 'otel_sentinel_probes_total', { exporter: name, result: 'success' }) ?? 0;
    return ok >= n && sample(m, 'otel_sentinel_exporter_up', { exporter: name }) === 1 ? probesOf(m, name) : undefined;
  });

const reloadedRecords = (d: InProcessDaemon) => d.logs.filter((r) => r.msg === 'configuration reloaded');
const rejectedRecords = (d: InProcessDaemon) => d.logs.filter((r) => r.level === 'error' && r.msg.startsWith('configuration rejected'));

/**
 * What every successful reload must leave: `kept` still holds its probe result and last success
 * (taken at the instant of the reload), the new one is there, the removed one has no series left.
 */
async function assertSwap(t: Test, d: InProcessDaemon, o: { kept: string; added: string; removed?: string; before: number }): Promise<void> {
  await waitFor(`${o.added} to be up after the reload`, async () => ((await d.exporter(o.added))?.up ? true : undefined));
  const snapshot = d.atReload.at(-1);
  t.ok(snapshot, 'a reload was logged');
  const kept = snapshot!.exporters.find((e) => e.name === o.kept);
  t.ok(kept?.checked_at, `${o.kept} kept its last probe result through the reload`);
  t.ok(kept?.last_success_at, `${o.kept} kept its last success through the reload`);
  t.equal(snapshot!.exporters.find((e) => e.name === o.added)?.checked_at, null, `${o.added} is new: not probed yet at the reload`);
  const rec = reloadedRecords(d).at(-1)!;
  t.same(rec.added, [o.added]);
  t.same(rec.removed, o.removed ? [o.removed] : []);
  const diag = await d.diagnosis();
  t.ok(diag.exporters.some((e) => e.name === o.added), `${o.added} is in the diagnosis`);
  // /metrics follows the diagnosis in batches, a moment later
  let m = await waitFor(`${o.added} in /metrics`, async () => {
    const text = await d.metrics();
    return sample(text, 'otel_sentinel_exporter_up', { exporter: o.added }) === 1 ? text : undefined;
  });
  t.equal(sample(m, RELOAD_OK), 1);
  if (o.removed) {
    t.notOk(diag.exporters.some((e) => e.name === o.removed), `${o.removed} left the diagnosis`);
    t.same(seriesOf(m, o.removed), [], `${o.removed} has no series left`);
  }
  t.ok(probesOf(m, o.kept) >= o.before, `${o.kept}'s probe counter was not reset`);
  const now = probesOf(m, o.kept);
  await waitFor(`${o.kept} to keep being probed`, async () => {
    m = await d.metrics();
    return probesOf(m, o.kept) > now ? true : undefined;
  });
}

t.test('a changed collector config: new exporter probed, removed one loses every series, unchanged one keeps its state', async (t) => {
  const [a, b, c] = [await backend(t), await backend(t), await backend(t)];
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/c': http(c) });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await probedUp(d, 'otlphttp/c');
  const before = await probedUp(d, 'otlphttp/a');
  t.ok(seriesOf(await d.metrics(), 'otlphttp/c').length > 5, 'the exporter to be removed has series before');

  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) });
  await assertSwap(t, d, { kept: 'otlphttp/a', added: 'otlphttp/b', removed: 'otlphttp/c', before });
  t.equal(reloadedRecords(d).at(-1)!.trigger, 'file change');
});

t.test("a changed otel-sentinel config (probe.extra_targets) is picked up", async (t) => {
  const [a, x] = [await backend(t), await backend(t)];
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': http(a) });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  const before = await probedUp(d, 'otlphttp/a');
  cfg.writeSentinel(['probe:', '  interval: 300ms', '  timeout: 250ms', '  extra_targets:', `    - {name: otlphttp/extra, type: otlp_http, endpoint: "http://127.0.0.1:${x.port}"}`]);
  await assertSwap(t, d, { kept: 'otlphttp/a', added: 'otlphttp/extra', before });
});

t.test('a Kubernetes ConfigMap update (..data symlink swapped atomically) is picked up', async (t) => {
  const [a, b, c] = [await backend(t), await backend(t), await backend(t)];
  const cfg = configDir(t);
  // The layout kubelet's AtomicWriter makes: ..TIMESTAMP/config.yaml, ..data -> ..TIMESTAMP,
  // config.yaml -> ..data/config.yaml
  const mount = join(cfg.dir, 'otelcol');
  mkdirSync(join(mount, '..2026_01_01_00_00_00.000000001'), { recursive: true });
  writeFileSync(join(mount, '..2026_01_01_00_00_00.000000001', 'config.yaml'), collectorYaml({ 'otlphttp/a': http(a), 'otlphttp/c': http(c) }));
  symlinkSync('..2026_01_01_00_00_00.000000001', join(mount, '..data'));
  symlinkSync('..data/config.yaml', join(mount, 'config.yaml'));
  writeFileSync(cfg.sentinel, sentinelYaml(join(mount, 'config.yaml')));
  const d = await startInProcess(t, cfg.sentinel);
  await probedUp(d, 'otlphttp/c');
  const before = await probedUp(d, 'otlphttp/a');

  // The update: a new timestamped dir, a new ..data_tmp link renamed over ..data, the old dir removed.
  const next = '..2026_01_01_00_05_00.000000002';
  mkdirSync(join(mount, next));
  writeFileSync(join(mount, next, 'config.yaml'), collectorYaml({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) }));
  symlinkSync(next, join(mount, '..data_tmp'));
  renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
  rmSync(join(mount, '..2026_01_01_00_00_00.000000001'), { recursive: true });
  await assertSwap(t, d, { kept: 'otlphttp/a', added: 'otlphttp/b', removed: 'otlphttp/c', before });
});

t.test('an invalid config is rejected with file and key, the last good one stays in force until a good one arrives', async (t) => {
  const [a, b] = [await backend(t), await backend(t)];
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': http(a) });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await probedUp(d, 'otlphttp/a');
  const rejectedBefore = async (n: number, what: string): Promise<string> => {
    const rec = await waitFor(`rejection ${n}: ${what}`, () => rejectedRecords(d)[n - 1]);
    const m = await d.metrics();
    t.equal(sample(m, RELOAD_OK), 0, `${what}: ${RELOAD_OK} is 0`);
    const count = probesOf(m, 'otlphttp/a');
    await waitFor(`${what}: the last good config to keep probing`, async () => (probesOf(await d.metrics(), 'otlphttp/a') > count ? true : undefined));
    t.equal((await d.exporter('otlphttp/a'))?.up, true, `${what}: the exporter of the last good config is still up`);
    return rec.msg;
  };

  writeFileSync(cfg.sentinel, sentinelYaml(cfg.collector, ['bogus_key: 1']));
  const unknownKey = await rejectedBefore(1, 'unknown key');
  t.match(unknownKey, cfg.sentinel, 'names the file');
  t.match(unknownKey, 'bogus_key', 'names the key');
  t.match(unknownKey, 'stays in force');

  writeFileSync(cfg.collector, 'exporters:\n  otlphttp/a:\n    endpoint: "http://127.0.0.1:1\n  bad: [\n');
  writeFileSync(cfg.sentinel, sentinelYaml(cfg.collector));
  const syntax = await rejectedBefore(2, 'YAML syntax error');
  t.match(syntax, new RegExp(`${cfg.collector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`), 'names file:line:col');
  t.match(syntax, /YAML/);

  const gone = join(cfg.dir, 'no-such-collector.yaml');
  writeFileSync(cfg.sentinel, sentinelYaml(gone));
  const missing = await rejectedBefore(3, 'missing collector file');
  t.match(missing, gone, 'names the missing file');
  t.match(missing, 'collector.config_files', 'names the key that points at it');
  t.match(missing, 'ENOENT');

  t.ok(reloadedRecords(d).length === 0, 'nothing was applied meanwhile');
  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) });
  cfg.writeSentinel();
  await waitFor('the good config to be applied', async () => ((await d.exporter('otlphttp/b'))?.up ? true : undefined));
  t.equal(sample(await d.metrics(), RELOAD_OK), 1, `${RELOAD_OK} is 1 again`);
  t.equal(rejectedRecords(d).length, 3);
});

t.test('POST /-/reload reloads when web.enable_lifecycle is true and answers 403 when it is off', async (t) => {
  const [a, b] = [await backend(t), await backend(t)];
  const on = configDir(t);
  on.writeCollector({ 'otlphttp/a': http(a) });
  on.writeSentinel([], { lifecycle: true });
  const d = await startInProcess(t, on.sentinel);
  await probedUp(d, 'otlphttp/a');
  on.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) });
  const res = await fetch(`${d.base}/-/reload`, { method: 'POST' });
  t.equal(res.status, 200, await res.text());
  // The answer comes after the reload, whichever trigger ran it: the new exporter is already there.
  t.ok(d.daemon.monitor.diagnosis().exporters.some((e) => e.name === 'otlphttp/b'), 'applied when the answer arrives');
  t.ok(reloadedRecords(d).some((r) => r.trigger === 'http'), 'logged with trigger http');

  writeFileSync(on.sentinel, sentinelYaml(on.collector, ['bogus_key: 1'], { lifecycle: true }));
  const bad = await fetch(`${d.base}/-/reload`, { method: 'POST' });
  t.equal(bad.status, 500);
  const body = await bad.text();
  t.match(body, on.sentinel);
  t.match(body, 'bogus_key');
  t.equal(sample(await d.metrics(), RELOAD_OK), 0);

  const off = configDir(t);
  off.writeCollector({ 'otlphttp/a': http(a) });
  off.writeSentinel();
  const d2 = await startInProcess(t, off.sentinel);
  const refused = await fetch(`${d2.base}/-/reload`, { method: 'POST' });
  t.equal(refused.status, 403);
  await refused.text();
  t.equal(reloadedRecords(d2).length, 0, 'nothing reloaded');
});

t.test('a reload triggered while another runs is not lost: the newer files are applied after it', async (t) => {
  const [a, b, c] = [await backend(t), await backend(t), await backend(t)];
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': http(a) });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await probedUp(d, 'otlphttp/a');
  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) });
  const first = d.daemon.reload('test');
  // written while the first reload is running: it read the files already
  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/c': http(c) });
  const second = d.daemon.reload('test');
  t.same(await first, { ok: true });
  t.same(await second, { ok: true });
  const names = d.daemon.monitor.diagnosis().exporters.map((e) => e.name);
  t.same(names, ['otlphttp/a', 'otlphttp/c'], 'the files as they were when the second trigger came');
});

t.test('a reload arriving while the daemon stops applies nothing', async (t) => {
  const [a, b] = [await backend(t), await backend(t)];
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': http(a) });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await probedUp(d, 'otlphttp/a', 1);
  cfg.writeCollector({ 'otlphttp/a': http(a), 'otlphttp/b': http(b) });
  const stopping = d.stop();
  const result = await d.daemon.reload('test');
  await stopping;
  t.same(result, { ok: false, error: 'otel-sentinel is stopping' });
  t.same(d.daemon.monitor.diagnosis().exporters, [], 'no prober was created after the stop');
});

t.test('SIGHUP reloads the child daemon (a changed token file the watcher does not follow)', async (t) => {
  const server = await backend(t, { requiredToken: 'token-two-4411' });
  const cfg = configDir(t);
  const tokenFile = join(cfg.dir, 'token');
  writeFileSync(tokenFile, 'token-one-4411\n');
  cfg.writeCollector(
    { 'otlphttp/auth': { ...http(server), auth: { authenticator: 'bearertokenauth' } } },
    { extensions: { bearertokenauth: { filename: tokenFile } }, service: { extensions: ['bearertokenauth'] } },
  );
  cfg.writeSentinel([], { level: 'info' });
  const child = startChild(t, ['serve', '--config', cfg.sentinel]);
  const base = await child.base();
  const exporter = async (): Promise<{ up: boolean; problems: { reason: string }[] } | undefined> => {
    const res = await fetch(`${base}/api/v1/diagnosis`);
    if (res.status !== 200) return undefined;
    const d = (await res.json()) as { exporters: { name: string; up: boolean; problems: { reason: string }[] }[] };
    return d.exporters.find((e) => e.name === 'otlphttp/auth');
  };
  const first = await waitFor('the first probe', async () => ((await exporter())?.problems[0]?.reason ? exporter() : undefined));
  t.equal(first!.problems[0]!.reason, 'unauthorized', 'the old token is refused');
  writeFileSync(tokenFile, 'token-two-4411\n');
  child.child.kill('SIGHUP');
  await waitFor('the new token to be used', async () => ((await exporter())?.up ? true : undefined));
  t.match(child.output(), /"trigger":"SIGHUP"[^\n]*configuration reloaded/);
  t.equal((await fetch(`${base}/livez`)).status, 200, 'still alive after SIGHUP');
  t.equal(await child.terminate(), 0, 'exit 0 after SIGTERM');
  t.notMatch(child.output(), 'token-two-4411', 'the token is never logged');
});
