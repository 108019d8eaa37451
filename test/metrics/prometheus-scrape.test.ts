// A real Prometheus scrapes /metrics: it asks for OpenMetrics first, so this proves that format
// parses for Prometheus itself, and the samples land under their documented names.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createHttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { fixtureDiagnosis, webConfig } from '../helpers/diagnosis-fixture.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, deadlineMs = 90_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

t.test('Prometheus scrapes the OpenMetrics answer without error', async (t) => {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: '1.2.3' });
  metrics.update(fixtureDiagnosis());
  metrics.recordProbe('otlp/tempo', false);
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(),
    registry,
    diagnosis: () => fixtureDiagnosis(),
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await server.start();
  t.teardown(() => server.close());

  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-prom-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n  - job_name: sentinel\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
  );
  const promPort = await freePort();
  const prom = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prom.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const exited = new Promise((r) => prom.once('exit', r));
  t.teardown(async () => {
    prom.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const api = `http://127.0.0.1:${promPort}/api/v1`;
  const target = await poll('a finished scrape', async () => {
    const r = (await (await fetch(`${api}/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string; lastScrape: string }[] };
    };
    const tg = r.data.activeTargets[0];
    return tg && tg.health !== 'unknown' ? tg : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}; prometheus said: ${log}`);
  });
  t.equal(target.lastError, '', 'no scrape error');
  t.equal(target.health, 'up');

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return r.data.result;
  };
  const probes = await poll('otel_sentinel_probes_total', async () => {
    const r = await query('otel_sentinel_probes_total{exporter="otlp/tempo",result="failure"}');
    return r.length > 0 ? r : undefined;
  });
  t.equal(probes[0]?.value[1], '1', 'a counter arrives under its _total name');
  const toFull = await query('otel_sentinel_exporter_queue_seconds_to_full{exporter="otlphttp/honeycomb"}');
  t.equal(toFull[0]?.value[1], '+Inf');
  const causes = await query('otel_sentinel_exporter_cause{exporter="otlp/tempo"}');
  t.equal(causes.length, 7);
});
