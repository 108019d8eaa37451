import t from 'tap';
import { truncateSync, writeFileSync } from 'node:fs';
import { startHttpServer } from '../helpers/servers.js';
import { configDir, probesOf, sample, startInProcess, waitFor } from '../helpers/reliability-harness.js';

const RELOAD_OK = 'otel_sentinel_config_last_reload_successful';

t.test('a reload of an oversize collector config is rejected with its size and the limit; the last good config keeps probing', async (t) => {
  const backend = await startHttpServer({});
  t.teardown(() => backend.close());
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': { endpoint: `http://127.0.0.1:${backend.port}` } });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  await waitFor('otlphttp/a up', async () => ((await d.exporter('otlphttp/a'))?.up ? true : undefined));

  // 50 MB: the file grows in place, as a runaway generator would leave it
  truncateSync(cfg.collector, 50 * 1024 * 1024);
  const rejected = await waitFor('the rejection', () => d.logs.find((r) => r.level === 'error' && r.msg.startsWith('configuration rejected')));
  t.match(rejected.msg, cfg.collector, 'names the file');
  t.match(rejected.msg, 'is 52,428,800 bytes (50.0 MiB), over the limit of 4 MiB', 'its size and the limit');
  const m = await d.metrics();
  t.equal(sample(m, RELOAD_OK), 0, `${RELOAD_OK} is 0`);
  const count = probesOf(m, 'otlphttp/a');
  await waitFor('the last good config to keep probing', async () => (probesOf(await d.metrics(), 'otlphttp/a') > count ? true : undefined));
  t.equal((await d.exporter('otlphttp/a'))?.up, true, 'its exporter is still up');

  cfg.writeCollector({ 'otlphttp/a': { endpoint: `http://127.0.0.1:${backend.port}` }, 'otlphttp/b': { endpoint: `http://127.0.0.1:${backend.port}` } });
  await waitFor('the good config to be applied', async () => ((await d.exporter('otlphttp/b'))?.up ? true : undefined));
  t.equal(sample(await d.metrics(), RELOAD_OK), 1, `${RELOAD_OK} is 1 again`);
  writeFileSync(cfg.sentinel, `# ${'x'.repeat(1024 * 1024)}\n`);
  const second = await waitFor('the oversize sentinel config to be rejected', () =>
    d.logs.filter((r) => r.level === 'error' && r.msg.startsWith('configuration rejected'))[1],
  );
  t.match(second.msg, `${cfg.sentinel}: the otel-sentinel configuration file`);
  t.match(second.msg, 'over the limit of 1 MiB');
  t.equal((await d.exporter('otlphttp/b'))?.up, true, 'the last good config stays');
});
