import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTethered, type TetheredChild } from '../e2e/tethered-child.js';
import { collectorConfig, type CollectorConfigOptions } from './collector-config.js';
import { freePort } from './free-port.js';
import { otelcolBinary } from './otelcol-binary.js';

export type StartCollectorOptions = Omit<CollectorConfigOptions, 'receiverPort' | 'telemetryPort'> & {
  /** the whole config instead of the one collectorConfig() makes (ports are still given here) */
  readonly config?: (ports: { receiverPort: number; telemetryPort: number }) => Record<string, unknown>;
  /** extra environment for the collector */
  readonly env?: Readonly<Record<string, string>>;
};

/**
 * The real collector (test/otelcol) as its own process, tied to the test process, running a
 * config file written for it. Lifecycle: `startCollector()` (resolves once its internal metrics
 * are served and its OTLP receiver accepts connections), `stop()` in a teardown (also removes the
 * config file).
 */
export interface RunningCollector {
  readonly pid: number;
  /**
   * argv[0] of the process, unique to it (`otc-<pid>-<n>`, within the 15 bytes of a comm): give it to otel-sentinel as
   * `collector.process.name`, so that it finds this collector by name even when other collectors
   * run on the machine. It runs through a symlink of that name to the `otelcol` binary, so its comm
   * (`/proc/PID/comm`, the first 15 bytes) is not `otelcol` either: a test that looks for a
   * collector by the default names never finds one of these by chance.
   */
  readonly processName: string;
  readonly configFile: string;
  readonly config: Record<string, unknown>;
  /** the OTLP/gRPC receiver: 127.0.0.1:receiverPort */
  readonly receiverPort: number;
  /** its internal metrics (Prometheus text) */
  readonly telemetryUrl: string;
  readonly child: TetheredChild;
  /** the last 20 kB of its stderr (its log) */
  log(): string;
  /**
   * component ID -> the `error` of the last log line about it (with `logs.encoding: json`, as
   * collectorConfig() writes it): what the collector itself says went wrong, e.g. for an exporter
   * "Exporting failed. Dropping data." with the cause
   */
  lastErrors(): ReadonlyMap<string, string>;
  /** one scrape of its internal metrics */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

let started = 0;

export async function startCollector(o: StartCollectorOptions): Promise<RunningCollector> {
  const binary = otelcolBinary();
  const receiverPort = await freePort();
  const telemetryPort = await freePort();
  const config = o.config ? o.config({ receiverPort, telemetryPort }) : collectorConfig({ ...o, receiverPort, telemetryPort });
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-otelcol-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // short enough that the kernel's 15-byte comm keeps all of it: unique on the machine
  const processName = `otc-${process.pid}-${++started}`;
  const link = join(dir, processName);
  symlinkSync(binary, link);
  // bash's `exec -a` sets argv[0]; the pid stays the one the tether reports
  const child = await spawnTethered('bash', ['-c', 'exec -a "$0" "$@"', processName, link, '--config', configFile], {
    stderr: 'pipe',
    env: { ...process.env, ...o.env },
  });
  let log = '';
  let partial = '';
  const lastErrors = new Map<string, string>();
  child.wrapper.stderr!.setEncoding('utf8').on('data', (d: string) => {
    log = (log + d).slice(-20_000);
    const lines = (partial + d).split('\n');
    partial = (lines.pop() ?? '').slice(-100_000);
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const id = entry['otelcol.component.id'];
        const error = entry['error'];
        if (typeof id === 'string' && typeof error === 'string') lastErrors.set(id, error);
      } catch {
        // not one of its JSON lines
      }
    }
  });
  const telemetryUrl = `http://127.0.0.1:${telemetryPort}/metrics`;
  const metrics = async (): Promise<string> => {
    const res = await fetch(telemetryUrl, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`the collector's ${telemetryUrl} answered ${res.status}`);
    return text;
  };
  let stopped = false;
  const collector: RunningCollector = {
    pid: child.pid,
    processName,
    configFile,
    config,
    receiverPort,
    telemetryUrl,
    child,
    log: () => log,
    lastErrors: () => lastErrors,
    metrics,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await child.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // polls until ready; gives up at once when the collector exits (a config it refuses)
    const deadline = Date.now() + 60_000;
    let last = '';
    for (;;) {
      if (child.exited()) throw new Error(`the collector exited (${await child.exit}) before it was ready`);
      try {
        await metrics();
        await new Promise<void>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port: receiverPort }, () => {
            s.destroy();
            resolve();
          });
          s.once('error', reject);
        });
        break;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the collector to serve its metrics and accept OTLP (${last})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await collector.stop();
    throw new Error(`${(err as Error).message}\ncollector log:\n${log}`);
  }
  return collector;
}
