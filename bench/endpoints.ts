import { join } from 'node:path';
import type { BenchOptions } from './bench-options.js';
import { httpGet } from './http-get.js';
import { mixedExporters, type ProbeKind } from './probe-kinds.js';
import { readUsage } from './proc-usage.js';
import { startSentinel } from './sentinel-process.js';
import { median, quantile, sleep } from './stats.js';

export interface Latency {
  readonly exporters: number;
  readonly path: string;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly bytes: number;
}

export interface EndpointResult {
  readonly latency: Latency[];
  /** spawn to the first /readyz 200, ms, one per run */
  readonly readyMs: number[];
  readonly readyExporters: number;
  /** VmRSS after idling */
  readonly idleRssBytes: number;
  readonly idleS: number;
}

const PATHS = ['/metrics', '/api/v1/diagnosis'] as const;

async function timeRequests(url: string, n: number): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = await httpGet(url);
    if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}`);
    ms.push(r.ms);
    bytes = r.body.length;
  }
  return { ms, bytes };
}

/**
 * /metrics and /api/v1/diagnosis latency (sequential keep-alive GETs, as one Prometheus would) at
 * 100 and 1,000 exporters while they are being probed; spawn-to-ready and idle RSS at 10 exporters.
 */
export async function runEndpoints(kinds: readonly ProbeKind[], o: BenchOptions, dir: string, collectorPid: number): Promise<EndpointResult> {
  const latency: Latency[] = [];
  for (const n of [100, 1000]) {
    const s = await startSentinel({ dir: join(dir, `latency-${n}`), exporters: mixedExporters(n, kinds), interval: '15s', timeout: '5s', mode: 'export', collectorPid });
    try {
      await s.waitReady(120_000);
      await sleep(o.quick ? 1000 : 2000);
      for (const path of PATHS) {
        const r = await timeRequests(`${s.url}${path}`, o.requests);
        latency.push({ exporters: n, path, medianMs: median(r.ms), p99Ms: quantile(r.ms, 0.99), bytes: r.bytes });
      }
    } finally {
      await s.stop();
    }
  }
  const readyMs: number[] = [];
  const readyExporters = 10;
  let idleRssBytes = NaN;
  for (let i = 0; i < o.readyRuns; i++) {
    const s = await startSentinel({ dir: join(dir, `ready-${i}`), exporters: mixedExporters(readyExporters, kinds), interval: '15s', timeout: '5s', mode: 'export', collectorPid });
    try {
      readyMs.push(await s.waitReady());
      if (i === o.readyRuns - 1) {
        await sleep(o.idleS * 1000);
        idleRssBytes = readUsage(s.pid).rssBytes;
      }
    } finally {
      await s.stop();
    }
  }
  return { latency, readyMs, readyExporters, idleRssBytes, idleS: o.idleS };
}
