import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startDaemon, type RunningDaemon } from '../../../src/daemon.js';
import { createLogger } from '../../../src/runtime/log.js';
import { waitFor } from './wait-for.js';
import { collectorYaml } from '../collector-yaml.js';

export interface SentinelOptions {
  /** the collector's exporters (`otlphttp/x: {endpoint: ...}`); all of them go into one traces pipeline */
  readonly exporters: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** collector.process.pid: the process standing in for the collector */
  readonly collectorPid: number;
  /** collector.telemetry_url; '' turns the collector's metrics off */
  readonly telemetryUrl: string;
  /**
   * probe.interval and probe.timeout, Go-style (default 1s and 800ms: failures under test are
   * immediate, and a loaded machine must not make a healthy probe time out)
   */
  readonly interval?: string;
  readonly timeout?: string;
}

/**
 * otel-sentinel's daemon, run in this process (startDaemon, as `serve` runs it) on 127.0.0.1 with
 * an ephemeral port, watching the collector config written here. Lifecycle: start, `stop()` in a
 * teardown (also removes its files).
 */
export interface Sentinel {
  readonly daemon: RunningDaemon;
  /** host:port, as Prometheus' scrape target */
  readonly target: string;
  readonly url: string;
  /** the daemon's log (JSON lines, warn and above), to explain a failure */
  log(): string;
  diagnosis(): Promise<DiagnosisDocument>;
  stop(): Promise<void>;
}

/** The parts of the diagnosis document (/api/v1/diagnosis) the end-to-end tests read. */
export interface DiagnosisDocument {
  readonly healthy: boolean;
  readonly collector: { readonly found: boolean; readonly problems: readonly ProblemDoc[] };
  readonly exporters: readonly { readonly name: string; readonly up: boolean; readonly problems: readonly ProblemDoc[] }[];
}

export interface ProblemDoc {
  readonly cause: string;
  readonly reason: string;
  readonly severity: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * The daemon in this process on a config file, its log (warn and above) kept in memory, the last
 * 20 kB of it; when it fails to start, `dir` is removed and the error thrown.
 */
export async function startLoggedDaemon(configFile: string, dir: string): Promise<{ daemon: RunningDaemon; log: () => string }> {
  let log = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      log = (log + chunk.toString('utf8')).slice(-20_000);
      cb();
    },
  });
  try {
    const daemon = await startDaemon(
      { configFile },
      { stdout: sink, stderr: sink, env: { PATH: process.env['PATH'] } },
      { logger: createLogger('warn', sink) },
    );
    return { daemon, log: () => log };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function startSentinel(o: SentinelOptions): Promise<Sentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-e2e-daemon-'));
  const collectorFile = join(dir, 'collector.yaml');
  writeFileSync(collectorFile, collectorYaml(o.exporters));
  const sentinelFile = join(dir, 'sentinel.yaml');
  writeFileSync(
    sentinelFile,
    [
      'listen: "127.0.0.1:0"',
      'collector:',
      `  config_files: [${JSON.stringify(collectorFile)}]`,
      '  process:',
      `    pid: ${o.collectorPid}`,
      `  telemetry_url: ${JSON.stringify(o.telemetryUrl)}`,
      'probe:',
      `  interval: ${o.interval ?? '1s'}`,
      `  timeout: ${o.timeout ?? '800ms'}`,
      'log:',
      '  level: warn',
    ].join('\n'),
  );
  const { daemon, log } = await startLoggedDaemon(sentinelFile, dir);
  const target = `127.0.0.1:${daemon.address.port}`;
  const url = `http://${target}`;
  let stopped = false;
  const sentinel: Sentinel = {
    daemon,
    target,
    url,
    log,
    diagnosis: async () => {
      const res = await fetch(`${url}/api/v1/diagnosis`, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`/api/v1/diagnosis answered ${res.status}`);
      return (await res.json()) as DiagnosisDocument;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return whenReady(sentinel, url, log);
}

/**
 * Waits until the daemon at `url` answers /readyz with 200 (the first round finished, so the first
 * scrape already has every series); on a timeout it stops it and throws with its log.
 */
export async function whenReady<S extends { stop(): Promise<void> }>(sentinel: S, url: string, log: () => string): Promise<S> {
  try {
    await waitFor('the sentinel to be ready', async () => {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
  } catch (err) {
    await sentinel.stop();
    throw new Error(`${(err as Error).message}\n${log()}`);
  }
  return sentinel;
}
