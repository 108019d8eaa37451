import { join } from 'node:path';
import type { BenchCerts } from './bench-certs.js';
import type { BenchOptions } from './bench-options.js';
import { startBlackbox } from './blackbox-process.js';
import { startPrometheus } from './prometheus-process.js';
import { startSentinel, type BenchExporter } from './sentinel-process.js';
import { quantile, sleep } from './stats.js';
import { FLIP_TARGETS, type FlipTarget } from './target-protocol.js';
import type { Targets } from './target-process.js';

export const DETECT_INTERVAL_S = 2;
export const DETECT_TIMEOUT_S = 1;
const POLL_MS = 50;

/** The cause otel-sentinel must name for each failure. */
export const EXPECTED_CAUSE: Readonly<Record<FlipTarget, string>> = {
  refused: 'network',
  unavailable: 'backend',
  hung: 'backend',
  expired: 'tls',
};

const LABELS: Readonly<Record<FlipTarget, string>> = {
  refused: 'refused (stops listening)',
  unavailable: 'HTTP 503',
  hung: 'hung (accepts, never answers)',
  expired: 'TLS cert expired',
};

export interface DetectionResult {
  readonly target: FlipTarget;
  readonly label: string;
  readonly cause: string;
  /** seconds from flip to detection, one per flip that was detected */
  readonly ours: number[];
  readonly theirs: number[];
  readonly oursMissed: number;
  readonly theirsMissed: number;
  readonly oursP50: number;
  readonly oursP99: number;
  readonly theirsP50: number;
  readonly theirsP99: number;
}

type Waiter = { pred: () => boolean; resolve: (at: number | null) => void; deadline: number };

/** Polls a source every 50 ms, keeps the latest answer, and wakes whoever waits for a condition on it. */
class Poller<T> {
  latest: T;
  private waiters: Waiter[] = [];
  private stopped = false;
  private loop: Promise<void>;

  constructor(initial: T, private readonly fetch: () => Promise<T>) {
    this.latest = initial;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = performance.now();
      try {
        this.latest = await this.fetch();
      } catch {
        // a failed poll keeps the last answer; the next one tries again
      }
      const at = performance.now();
      this.waiters = this.waiters.filter((w) => {
        if (w.pred()) w.resolve(at);
        else if (at > w.deadline) w.resolve(null);
        else return true;
        return false;
      });
      await sleep(Math.max(0, POLL_MS - (performance.now() - started)));
    }
  }

  /** performance.now() of the first poll answer that satisfies `pred`, or null after `ms` */
  until(pred: () => boolean, ms: number): Promise<number | null> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve, deadline: performance.now() + ms }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }
}

interface ExporterView {
  up: number;
  causes: Set<string>;
}

/**
 * Time to detection: four targets flip from healthy to failing (in parallel, each at a random
 * point of the probe interval); otel-sentinel's /metrics and, for blackbox_exporter, a real
 * Prometheus scraping /probe at the same interval are polled every 50 ms until each shows the
 * failure (the expected cause for otel-sentinel, probe_success 0 for blackbox).
 */
export async function runDetection(o: BenchOptions, dir: string, certs: BenchCerts, targets: Targets, log: (line: string) => void): Promise<DetectionResult[]> {
  const exporterOf = (t: FlipTarget): BenchExporter => {
    const port = targets.ports.flip[t];
    return t === 'expired'
      ? { id: `otlphttp/${t}`, endpoint: `https://127.0.0.1:${port}`, tls: { ca_file: certs.caFile } }
      : { id: `otlphttp/${t}`, endpoint: `http://127.0.0.1:${port}` };
  };
  const targetUrl = (t: FlipTarget): string => `${t === 'expired' ? 'https' : 'http'}://127.0.0.1:${targets.ports.flip[t]}/v1/traces`;

  const sentinel = await startSentinel({
    dir: join(dir, 'sentinel'),
    exporters: FLIP_TARGETS.map(exporterOf),
    interval: `${DETECT_INTERVAL_S}s`,
    timeout: `${DETECT_TIMEOUT_S}s`,
    mode: 'export',
    collectorPid: targets.pid,
  });
  const blackbox = await startBlackbox(join(dir, 'blackbox'), certs.caFile).catch(async (err: unknown) => {
    await sentinel.stop();
    throw err;
  });
  const prometheus = await startPrometheus(
    join(dir, 'prometheus'),
    blackbox,
    FLIP_TARGETS.map((t) => ({ job: t, target: targetUrl(t), module: 'detect_http' })),
    `${DETECT_INTERVAL_S}s`,
    `${(DETECT_INTERVAL_S - 0.5) * 1000}ms`,
  ).catch(async (err: unknown) => {
    await Promise.all([sentinel.stop(), blackbox.stop()]);
    throw err;
  });
  const ours = new Poller(new Map<string, ExporterView>(), async () => {
    const view = new Map<string, ExporterView>();
    const get = (e: string): ExporterView => {
      let v = view.get(e);
      if (!v) view.set(e, (v = { up: NaN, causes: new Set() }));
      return v;
    };
    for (const s of await sentinel.metrics()) {
      const e = s.labels.exporter;
      if (e === undefined) continue;
      if (s.name === 'otel_sentinel_exporter_up') get(e).up = s.value;
      else if (s.name === 'otel_sentinel_exporter_cause' && s.value === 1 && s.labels.cause) get(e).causes.add(s.labels.cause);
    }
    return view;
  });
  const theirs = new Poller(new Map<string, number>(), () => prometheus.probeSuccess());
  try {
    await sentinel.waitReady();
    const deadlineMs = 15_000;
    const one = async (t: FlipTarget): Promise<DetectionResult> => {
      const id = exporterOf(t).id;
      const oursHealthy = (): boolean => {
        const v = ours.latest.get(id);
        return v !== undefined && v.up === 1 && v.causes.size === 0;
      };
      const theirsHealthy = (): boolean => theirs.latest.get(t) === 1;
      const res = { ours: [] as number[], theirs: [] as number[], oursMissed: 0, theirsMissed: 0 };
      for (let i = 0; i < o.flips; i++) {
        const healthy = await Promise.all([ours.until(oursHealthy, 60_000), theirs.until(theirsHealthy, 60_000)]);
        if (healthy.includes(null)) throw new Error(`${t}: the target did not look healthy to both tools within 60 s`);
        // a random point of the probe interval, as a real failure would fall
        await sleep(Math.random() * DETECT_INTERVAL_S * 1000);
        const flippedAt = await targets.flip(t, true);
        const [a, b] = await Promise.all([
          ours.until(() => ours.latest.get(id)?.causes.has(EXPECTED_CAUSE[t]) === true, deadlineMs),
          theirs.until(() => theirs.latest.get(t) === 0, deadlineMs),
        ]);
        await targets.flip(t, false);
        if (a === null) res.oursMissed++;
        else res.ours.push((a - flippedAt) / 1000);
        if (b === null) res.theirsMissed++;
        else res.theirs.push((b - flippedAt) / 1000);
      }
      log(`  ${LABELS[t]}: otel-sentinel ${res.ours.map((s) => s.toFixed(2)).join(' ')}; blackbox+Prometheus ${res.theirs.map((s) => s.toFixed(2)).join(' ')}`);
      return {
        target: t,
        label: LABELS[t],
        cause: EXPECTED_CAUSE[t],
        ...res,
        oursP50: quantile(res.ours, 0.5),
        oursP99: quantile(res.ours, 0.99),
        theirsP50: quantile(res.theirs, 0.5),
        theirsP99: quantile(res.theirs, 0.99),
      };
    };
    return await Promise.all(FLIP_TARGETS.map(one));
  } finally {
    await Promise.all([ours.stop(), theirs.stop()]);
    await Promise.all([sentinel.stop(), prometheus.stop(), blackbox.stop()]);
    await Promise.all(FLIP_TARGETS.map((t) => targets.flip(t, false).catch(() => undefined)));
  }
}
