import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from './child-server.js';

export interface AlertmanagerOptions {
  /** where the single receiver POSTs its notifications (a loopback URL) */
  readonly webhookUrl: string;
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  /** default: one group per alert name, instance and exporter */
  readonly groupBy?: readonly string[];
  /** Debian's package installs it as prometheus-alertmanager */
  readonly binary?: string;
}

/** A real Alertmanager on 127.0.0.1 with clustering off; `stop()` it in a teardown. */
export interface Alertmanager extends ChildServer {
  /** GET /api/v2/alerts: the alerts it holds now */
  alerts(): Promise<readonly { labels: Record<string, string>; status: { state: string } }[]>;
}

export async function startAlertmanager(o: AlertmanagerOptions): Promise<Alertmanager> {
  const config = {
    route: {
      receiver: 'webhook',
      group_by: [...(o.groupBy ?? ['alertname', 'instance', 'exporter'])],
      group_wait: o.groupWait ?? '1s',
      group_interval: o.groupInterval ?? '1s',
      repeat_interval: o.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: o.webhookUrl, send_resolved: true }] }],
  };
  const server = await startChildServer({
    name: 'alertmanager',
    binary: o.binary ?? 'prometheus-alertmanager',
    readyPath: '/-/ready',
    // JSON is YAML: no serializer needed
    prepare: (_port, dir) => writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2)),
    args: (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // empty: no gossip port, no peers; a single instance
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
  return {
    ...server,
    alerts: async () => {
      const res = await fetch(`${server.url}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
      return (await res.json()) as { labels: Record<string, string>; status: { state: string } }[];
    },
  };
}
