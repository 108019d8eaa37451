import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusServerOptions {
  /** `scrape_configs` entries, as in prometheus.yml; targets must be on loopback */
  readonly scrapeConfigs?: readonly Record<string, unknown>[];
  /** absolute paths of rule files to load */
  readonly ruleFiles?: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** the prometheus binary; default: `prometheus` on PATH (Debian: /usr/bin/prometheus) */
  readonly binary?: string;
  /** how long to wait for /-/ready; generous, for a loaded machine */
  readonly startTimeoutMs?: number;
}

export interface PromApiResponse<T = unknown> {
  readonly status: 'success' | 'error';
  readonly data?: T;
  readonly errorType?: string;
  readonly error?: string;
  readonly warnings?: readonly string[];
}

export interface InstantVectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface QueryData {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  readonly result: unknown;
}

/**
 * A real Prometheus on 127.0.0.1, started by startPrometheus() and owned by the caller: call
 * stop() (in a teardown) to kill it and remove its data directory.
 */
export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** GET /api/v1/<path> with query parameters; HTTP errors come back as the API's error body */
  api<T = unknown>(path: string, params?: Readonly<Record<string, string>>): Promise<PromApiResponse<T>>;
  /** an instant query at `time` (unix seconds, default now) */
  query(expr: string, time?: number): Promise<PromApiResponse<QueryData>>;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (Prometheus cannot listen on port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitExit(child, 10_000)) return;
  child.kill('SIGKILL');
  await waitExit(child, 5_000);
}

async function startOnce(
  opts: PrometheusServerOptions,
  dir: string,
  port: number,
): Promise<{ child: ChildProcess } | { addressInUse: true } | { error: Error }> {
  const config = {
    global: {
      scrape_interval: opts.scrapeInterval ?? '1s',
      evaluation_interval: opts.evaluationInterval ?? '1s',
    },
    rule_files: [...(opts.ruleFiles ?? [])],
    scrape_configs: [...(opts.scrapeConfigs ?? [])],
  };
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML: no serializer needed
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = spawn(
    opts.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    // keep the tail only: enough to explain a failed start
    stderr = (stderr + d).slice(-8_000);
  });
  let spawnError: Error | null = null;
  child.once('error', (err) => (spawnError = err));

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (spawnError) return { error: new Error(`cannot start prometheus: ${(spawnError as Error).message}`) };
    if (child.exitCode !== null || child.signalCode !== null) {
      if (/address already in use/.test(stderr)) return { addressInUse: true };
      return { error: new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) at start:\n${stderr}`) };
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return { child };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stopChild(child);
  return { error: new Error(`prometheus not ready on 127.0.0.1:${port} in time:\n${stderr}`) };
}

/**
 * Starts a real Prometheus on 127.0.0.1 with the given scrape configs and rule files, in its own
 * temporary directory, and waits until it is ready. Retries on another port if the one it picked
 * was taken in the meantime.
 */
export async function startPrometheus(opts: PrometheusServerOptions = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-prometheus-'));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const started = await startOnce(opts, dir, port);
      if ('addressInUse' in started) continue;
      if ('error' in started) throw started.error;
      const { child } = started;
      const url = `http://127.0.0.1:${port}`;
      const api = async <T>(path: string, params: Readonly<Record<string, string>> = {}): Promise<PromApiResponse<T>> => {
        const u = new URL(`/api/v1/${path.replace(/^\//, '')}`, url);
        for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
        const res = await fetch(u, { signal: AbortSignal.timeout(15_000) });
        return (await res.json()) as PromApiResponse<T>;
      };
      let stopped = false;
      return {
        url,
        port,
        dir,
        api,
        query: (expr, time) =>
          api<QueryData>('query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) }),
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error('prometheus: no free port after 3 attempts');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
