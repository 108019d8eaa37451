import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../src/runtime/log.js';
import { createMonitor } from '../src/monitor.js';
import { createProber } from '../src/probe/create-prober.js';
import { createCollectorWatcher } from '../src/collector/collector-watcher.js';
import { createTelemetryScraper } from '../src/collector/telemetry-scraper.js';
import { defaultSentinelConfig } from '../src/config/load-sentinel-config.js';
import type { CollectorModel } from '../src/config/collector-model.js';
import type { ExporterSpec } from '../src/config/exporter-spec.js';

/** An OTLP/HTTP receiver whose answer the test switches. */
async function receiver(t: Test): Promise<{ url: string; status: { code: number } }> {
  const status = { code: 200 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status.code, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, status };
}

const spec = (name: string, endpoint: string): ExporterSpec => ({
  name,
  type: 'otlphttp',
  protocol: 'http',
  endpoint,
  tls: { insecure: false, insecureSkipVerify: false },
  headers: {},
  timeoutMs: 30_000,
  source: 'test.yaml',
  secrets: [],
  configProblems: [],
});

function setup(t: Test) {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) records.push(JSON.parse(line));
      cb();
    },
  });
  const procRoot = mkdtempSync(join(tmpdir(), 'sentinel-monitor-proc-'));
  t.teardown(() => rmSync(procRoot, { recursive: true, force: true }));
  const monitor = createMonitor({
    logger: createLogger('info', sink),
    createProber,
    collector: createCollectorWatcher({ procRoot }),
    telemetry: createTelemetryScraper(),
  });
  t.teardown(() => monitor.close());
  const config = defaultSentinelConfig();
  const model = (exporters: ExporterSpec[]): CollectorModel => ({ files: [], exporters, telemetryUrl: '', memoryLimiter: null });
  return { monitor, records, config, model };
}

t.test('a state change is logged once, not every round; recovery is logged', async (t) => {
  const backend = await receiver(t);
  const { monitor, records, config, model } = setup(t);
  monitor.apply(config, model([spec('otlphttp/a', backend.url)]));
  const messages = () => records.map((r) => String(r.msg)).filter((m) => m.startsWith('otlphttp/a'));

  await monitor.runOnce();
  t.equal(monitor.diagnosis().exporters[0]?.up, true);
  backend.status.code = 503;
  await monitor.runOnce();
  await monitor.runOnce();
  await monitor.runOnce();
  t.equal(monitor.diagnosis().exporters[0]?.problems[0]?.reason, 'unavailable');
  backend.status.code = 200;
  await monitor.runOnce();
  await monitor.runOnce();
  const seen = messages();
  t.equal(seen.length, 3, `healthy, failing, recovered: ${JSON.stringify(seen)}`);
  t.match(seen[0], /healthy/);
  t.match(seen[1], /backend\/unavailable/);
  t.match(seen[2], /recovered/);
  const failing = records.find((r) => String(r.msg).includes('backend/unavailable'));
  t.equal(failing?.level, 'warn');
  t.equal(failing?.cause, 'backend');
  t.type(failing?.fix, 'string');
});

t.test('apply() keeps unchanged exporters with their history, drops removed ones, adds new ones', async (t) => {
  const backend = await receiver(t);
  const { monitor, config, model } = setup(t);
  monitor.apply(config, model([spec('otlphttp/keep', backend.url), spec('otlphttp/gone', backend.url)]));
  t.equal(monitor.complete(), false, 'nothing probed yet');
  await monitor.runOnce();
  t.equal(monitor.complete(), true);
  const before = monitor.diagnosis().exporters.find((e) => e.name === 'otlphttp/keep');
  t.type(before?.last_success_at, 'string');

  const change = monitor.apply(config, model([spec('otlphttp/keep', backend.url), spec('otlphttp/new', backend.url)]));
  t.same(change, { added: ['otlphttp/new'], removed: ['otlphttp/gone'], kept: ['otlphttp/keep'] });
  const d = monitor.diagnosis();
  t.same(d.exporters.map((e) => e.name), ['otlphttp/keep', 'otlphttp/new']);
  t.equal(d.exporters[0]?.last_success_at, before?.last_success_at, 'the kept exporter keeps its state');
  t.equal(d.exporters[1]?.checked_at, null, 'the new one is not probed yet');
  t.equal(monitor.complete(), false);
  t.same([...monitor.tasks().keys()].sort(), ['collector', 'exporter:otlphttp/keep', 'exporter:otlphttp/new']);

  const changedSpec = monitor.apply(config, model([spec('otlphttp/keep', `${backend.url}/other`)]));
  t.same(changedSpec, { added: ['otlphttp/keep'], removed: ['otlphttp/new'], kept: [] }, 'a changed spec starts afresh');
});

t.test('the diagnosis is healthy only when nothing at all is wrong', async (t) => {
  const backend = await receiver(t);
  const { monitor, config, model } = setup(t);
  monitor.apply(config, model([spec('otlphttp/a', backend.url)]));
  await monitor.runOnce();
  const d = monitor.diagnosis();
  t.equal(d.exporters[0]?.up, true);
  t.equal(d.collector.found, false, 'no collector in an empty procfs');
  t.equal(d.healthy, false, 'a missing collector is a problem');
  t.equal(d.collector.problems[0]?.reason, 'collector_not_found');
});

t.test('takeChanges() names the exporters probed since the last call, or asks for the whole diagnosis', async (t) => {
  const backend = await receiver(t);
  const { monitor, config, model } = setup(t);
  monitor.apply(config, model([spec('otlphttp/a', backend.url), spec('otlphttp/b', backend.url)]));
  t.equal(monitor.takeChanges(), null, 'the first call: everything');
  t.same(monitor.takeChanges(), [], 'nothing since');

  const a = monitor.tasks().get('exporter:otlphttp/a')!;
  await a.run(new AbortController().signal);
  const changes = monitor.takeChanges();
  t.same(changes?.map((e) => e.name), ['otlphttp/a'], 'only the exporter probed');
  t.equal(changes?.[0], monitor.diagnosis().exporters[0], 'the same entry the diagnosis holds');
  t.equal(changes?.[0]?.up, true);
  t.same(monitor.takeChanges(), []);

  await monitor.tasks().get('collector')!.run(new AbortController().signal);
  t.equal(monitor.takeChanges(), null, 'a collector round may change every entry');
  monitor.apply(config, model([spec('otlphttp/a', backend.url)]));
  await a.run(new AbortController().signal);
  t.equal(monitor.takeChanges(), null, 'after apply(): everything, even with probes since');
  const stale = monitor.tasks().get('exporter:otlphttp/a')!;
  monitor.apply(config, model([spec('otlphttp/b', backend.url)]));
  monitor.takeChanges();
  await stale.run(new AbortController().signal);
  t.same(monitor.takeChanges(), [], 'a probe of a removed exporter changes nothing');
});

t.test('close() leaves a diagnosis without exporters, even one read just before', async (t) => {
  const backend = await receiver(t);
  const { monitor, config, model } = setup(t);
  monitor.apply(config, model([spec('otlphttp/a', backend.url)]));
  await monitor.runOnce();
  t.same(monitor.diagnosis().exporters.map((e) => e.name), ['otlphttp/a']);
  monitor.close();
  t.same(monitor.diagnosis().exporters, [], 'no exporter after close()');
});
