import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PromApiResponse, QueryData } from '../ops/prometheus-server.js';
import { startChildServer, type ChildServer } from './child-server.js';

export interface E2ePrometheusOptions {
  /** `scrape_configs` entries; targets on loopback */
  readonly scrapeConfigs: readonly Record<string, unknown>[];
  readonly ruleFiles?: readonly string[];
  /** host:port of an Alertmanager to send alerts to */
  readonly alertmanager?: string;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly binary?: string;
}

/** Rule state as GET /api/v1/alerts reports it. */
export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
}

/**
 * A real Prometheus on 127.0.0.1 that also sends its alerts to an Alertmanager (what
 * test/helpers/ops/' startPrometheus does not configure). `stop()` it in a teardown.
 */
export interface E2ePrometheus extends ChildServer {
  api<T = unknown>(path: string, params?: Readonly<Record<string, string>>): Promise<PromApiResponse<T>>;
  query(expr: string): Promise<PromApiResponse<QueryData>>;
  alerts(): Promise<readonly PromAlert[]>;
}

export async function startE2ePrometheus(o: E2ePrometheusOptions): Promise<E2ePrometheus> {
  const config: Record<string, unknown> = {
    global: { scrape_interval: o.scrapeInterval ?? '1s', evaluation_interval: o.evaluationInterval ?? '1s' },
    rule_files: [...(o.ruleFiles ?? [])],
    scrape_configs: [...o.scrapeConfigs],
  };
  if (o.alertmanager) config['alerting'] = { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [o.alertmanager] }] }] };
  const server = await startChildServer({
    name: 'prometheus',
    binary: o.binary ?? 'prometheus',
    readyPath: '/-/ready',
    prepare: (_port, dir) => writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2)),
    args: (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // firing alerts are re-sent this often (default 1m): a notification lost to a busy machine
      // is made up for within the test's deadlines
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ],
  });
  const api = async <T>(path: string, params: Readonly<Record<string, string>> = {}): Promise<PromApiResponse<T>> => {
    const u = new URL(`/api/v1/${path.replace(/^\//, '')}`, server.url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const res = await fetch(u, { signal: AbortSignal.timeout(15_000) });
    return (await res.json()) as PromApiResponse<T>;
  };
  return {
    ...server,
    api,
    query: (expr) => api<QueryData>('query', { query: expr }),
    alerts: async () => {
      const r = await api<{ alerts: PromAlert[] }>('alerts');
      return r.data?.alerts ?? [];
    },
  };
}
