import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { httpGet, pollUntil } from './http-get.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** One blackbox target scraped as its own job. */
export interface ProbeJob {
  readonly job: string;
  readonly target: string;
  readonly module: string;
}

/** A running Prometheus scraping blackbox_exporter. Lifecycle: `startPrometheus()`, query, `stop()` once. */
export interface PrometheusProcess {
  readonly pid: number;
  /** the latest value of `probe_success` per job (jobs without a sample are absent) */
  probeSuccess(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  dir: string,
  blackbox: { url: string },
  jobs: readonly ProbeJob[],
  scrapeInterval: string,
  scrapeTimeout: string,
): Promise<PrometheusProcess> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const blackboxHost = new URL(blackbox.url).host;
  const config = {
    global: { scrape_interval: scrapeInterval, scrape_timeout: scrapeTimeout, evaluation_interval: scrapeInterval },
    scrape_configs: jobs.map((j) => ({
      job_name: j.job,
      metrics_path: '/probe',
      params: { module: [j.module], target: [j.target] },
      static_configs: [{ targets: [blackboxHost] }],
    })),
  };
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, JSON.stringify(config, null, 1));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  try {
    await pollUntil('Prometheus /-/ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr.trim()}`);
      return (await httpGet(`${url}/-/ready`, 2000)).status === 200 ? true : undefined;
    }, 50, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr.trim().slice(0, 1000)}`);
  }
  return {
    pid: child.pid!,
    async probeSuccess() {
      const r = await httpGet(`${url}/api/v1/query?query=probe_success`, 5000);
      const out = new Map<string, number>();
      const doc = JSON.parse(r.body) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
      for (const s of doc.data?.result ?? []) {
        const job = s.metric.job;
        if (job !== undefined) out.set(job, Number(s.value[1]));
      }
      return out;
    },
    stop,
  };
}
