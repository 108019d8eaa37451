import http from 'node:http';
import t, { type Test } from 'tap';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startFloodProcess, type FloodProcess } from '../../bench/flood-child.js';
import type { FloodStats } from '../../bench/flood-process.js';
import { defaultSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { fixtureDiagnosis } from '../helpers/diagnosis-fixture.js';

const PATHS = ['/metrics', '/livez', '/readyz'] as const;

/** One GET on a connection of its own, as a scraper or the kubelet makes it. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

async function startServer(t: Test, maxConnections: number): Promise<{ port: number; server: HttpServer }> {
  const registry = new Registry();
  createMetrics(registry, { version: '9.9.9' }).update(fixtureDiagnosis() as Diagnosis);
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: { ...defaultSentinelConfig().web, maxConnections },
    registry,
    diagnosis: () => fixtureDiagnosis(),
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { port, server };
}

/** Requests every endpoint in turn until `rounds` rounds are done; returns each path's statuses. */
async function scrapeThrough(port: number, rounds: number): Promise<Map<string, number[]>> {
  const statuses = new Map<string, number[]>(PATHS.map((p) => [p, []]));
  for (let i = 0; i < rounds; i++) {
    for (const path of PATHS) {
      const status = await get(port, path).catch((err: NodeJS.ErrnoException) => -1 * (err.code === 'ECONNRESET' ? 1 : 2));
      statuses.get(path)!.push(status);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return statuses;
}

t.test('1,000 slow and silent connections, reopened as they are cut: every scrape and health check is answered', async (t) => {
  const max = defaultSentinelConfig().web.maxConnections;
  const { port, server } = await startServer(t, max);
  const flood = await startFloodProcess({
    host: '127.0.0.1',
    port,
    connections: 1_000,
    slowShare: 0.5,
    byteEveryMs: 200,
    reconnect: true,
    maxConnects: 10_000,
  });
  t.teardown(() => flood.stop());
  t.ok((await flood.stats()).connects >= 1_000, 'the flood is open');
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, server.connections().open)), 50);
  // requests go on until the server has cut flood connections at their deadline (5 s), and the flood reopened them
  const statuses = new Map<string, number[]>(PATHS.map((p) => [p, []]));
  for (let round = 0; round < 300; round++) {
    const got = await scrapeThrough(port, 1);
    for (const path of PATHS) statuses.get(path)!.push(...got.get(path)!);
    if (round >= 20 && server.connections().silent > 0 && (await flood.stats()).connects > 1_000) break;
  }
  clearInterval(watch);
  for (const path of PATHS) t.same(new Set(statuses.get(path)), new Set([200]), `${path}: every request answered 200 during the flood (${statuses.get(path)!.length})`);
  const held = server.connections();
  const seen = await flood.stats();
  t.ok(held.silent > 0 && seen.closedByServer > 0, 'connections that sent no complete request were cut by their deadline');
  t.ok(seen.connects > 1_000, 'and reopened by the flood');
  t.ok(peak <= max, `the server never held more than web.max_connections (peak ${peak})`);
  await flood.stop();
});

t.test('a flood beyond web.max_connections: the oldest idle or unfinished connections are closed, newcomers served', async (t) => {
  const max = 200;
  const { port, server } = await startServer(t, max);
  const flood = await startFloodProcess({
    host: '127.0.0.1',
    port,
    connections: 1_000,
    slowShare: 0.5,
    byteEveryMs: 200,
    reconnect: false,
    maxConnects: 1_000,
  });
  t.teardown(() => flood.stop());
  const statuses = await scrapeThrough(port, 5);
  for (const path of PATHS) t.same(new Set(statuses.get(path)), new Set([200]), `${path}: answered 200 beyond the cap`);
  const held = server.connections();
  t.ok(held.open <= max, `at most ${max} connections held (${held.open})`);
  t.ok(held.shed >= 1_000 - max, `the flood's oldest connections were closed to make room (${held.shed})`);
  t.equal(held.refused, 0, 'no newcomer was refused');
  const seen = await waitStats(flood, (s) => s.open <= max);
  t.ok(seen.open <= max, `the flood itself sees its surplus closed (${seen.open} open)`);
  await flood.stop();
});

/** Asks the flood for its figures until `ok` holds (the closes reach it a moment after the server made them). */
async function waitStats(flood: FloodProcess, ok: (s: FloodStats) => boolean): Promise<FloodStats> {
  let s = await flood.stats();
  for (let i = 0; i < 100 && !ok(s); i++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await flood.stats();
  }
  return s;
}

t.test('request headers over 8 KiB get 431; the server keeps serving', async (t) => {
  const { port } = await startServer(t, 16);
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/livez', agent: false, headers: { 'x-big': 'b'.repeat(9 * 1024) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(status, 431);
  t.equal(await get(port, '/livez'), 200);
});
