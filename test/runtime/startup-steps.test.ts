import t from 'tap';
import { markStartup, resetStartup, startupReport, STARTUP_STEPS } from '../../src/runtime/startup-steps.js';
import { startHttpServer } from '../helpers/servers.js';
import { configDir, startInProcess, waitFor } from '../helpers/reliability-harness.js';

t.test('each step runs from the mark before it; the first mark of a step is kept; unmarked steps are left out', async (t) => {
  resetStartup();
  t.same(startupReport(), {}, 'nothing marked, nothing reported');
  markStartup('node', 40);
  markStartup('cli', 55.4);
  markStartup('cli', 90); // a second mark changes nothing
  markStartup('config', 120);
  markStartup('first_round', 300.6);
  const report = startupReport();
  t.ok(Number.isInteger(report.cpu_ms) && report.cpu_ms! > 0, `the CPU used until the first round's end: ${report.cpu_ms} ms`);
  delete report.cpu_ms;
  t.same(report, { node_ms: 40, cli_ms: 15, config_ms: 65, first_round_ms: 181, total_ms: 301 });
  t.same(Object.keys(report).slice(0, -1), STARTUP_STEPS.filter((s) => ['node', 'cli', 'config', 'first_round'].includes(s)).map((s) => `${s}_ms`), 'in start-up order');
  resetStartup();
  t.same(startupReport(), {});
});

t.test('the daemon logs `otel-sentinel ready` once, when the first round is done, with its steps', async (t) => {
  resetStartup();
  const backend = await startHttpServer({});
  t.teardown(() => backend.close());
  const cfg = configDir(t);
  cfg.writeCollector({ 'otlphttp/a': { endpoint: `http://127.0.0.1:${backend.port}` } });
  cfg.writeSentinel();
  const d = await startInProcess(t, cfg.sentinel);
  const ready = await waitFor('the ready line', () => d.logs.find((r) => r.msg === 'otel-sentinel ready: the first round is done'));
  const startup = (ready as unknown as { startup: Record<string, number> }).startup;
  // started in this process: no `node`, `cli` or `modules` marks, the daemon's own steps only
  t.same(Object.keys(startup), ['config_ms', 'listening_ms', 'first_round_ms', 'total_ms', 'cpu_ms']);
  for (const [k, v] of Object.entries(startup)) t.ok(Number.isInteger(v) && v >= 0, `${k} is a whole number of ms: ${v}`);
  t.ok(startup.total_ms! >= startup.first_round_ms!, 'the total covers the steps');
  t.ok(startup.cpu_ms! > 0, 'the CPU used is counted');
  t.ok((await d.exporter('otlphttp/a'))?.up, 'logged once the exporter had its first result');
  t.same(
    d.logs.filter((r) => r.msg.startsWith('otel-sentinel started')).length,
    1,
  );
  t.ok(d.logs.indexOf(ready) > d.logs.findIndex((r) => r.msg.startsWith('otel-sentinel started')), 'after the started line');

  cfg.writeCollector({ 'otlphttp/a': { endpoint: `http://127.0.0.1:${backend.port}` }, 'otlphttp/b': { endpoint: `http://127.0.0.1:${backend.port}` } });
  await waitFor('otlphttp/b up after the reload', async () => ((await d.exporter('otlphttp/b'))?.up ? true : undefined));
  t.equal(d.logs.filter((r) => r.msg.startsWith('otel-sentinel ready')).length, 1, 'a reload logs no second ready line');
  resetStartup();
});
