import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { httpGet } from './http-get.js';
import { startServerBinary } from './server-binary.js';

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
  const server = await startServerBinary(
    'Prometheus',
    PROMETHEUS_BIN,
    [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    `${url}/-/ready`,
    { intervalMs: 50, timeoutMs: 30_000 },
  );
  return {
    pid: server.pid,
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
    stop: server.stop,
  };
}
