import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startServerBinary } from './server-binary.js';

export const BLACKBOX_BIN = '/usr/bin/prometheus-blackbox-exporter';

/**
 * The blackbox modules the bench compares with, one per probe kind, plus `detect_http` (1 s timeout)
 * for the detection part. Every TLS module trusts the bench CA.
 */
export function blackboxModules(caFile: string): Record<string, unknown> {
  const tlsConfig = { ca_file: caFile };
  const post = { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: '', preferred_ip_protocol: 'ip4', tls_config: tlsConfig };
  return {
    tcp_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4' } },
    tls_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4', tls: true, tls_config: tlsConfig } },
    http_post: { prober: 'http', timeout: '5s', http: post },
    grpc_plain: { prober: 'grpc', timeout: '5s', grpc: { tls: false, preferred_ip_protocol: 'ip4' } },
    grpc_tls: { prober: 'grpc', timeout: '5s', grpc: { tls: true, preferred_ip_protocol: 'ip4', tls_config: tlsConfig } },
    detect_http: { prober: 'http', timeout: '1s', http: post },
  };
}

/** A running blackbox_exporter. Lifecycle: `startBlackbox()` (resolves once healthy), `stop()` once. */
export interface BlackboxProcess {
  readonly pid: number;
  /** performance.now() right before the spawn */
  readonly spawnedAt: number;
  readonly url: string;
  /** the /probe URL for one target and module */
  probeUrl(target: string, module: string): string;
  stop(): Promise<void>;
}

/** `pollMs`: how often /-/healthy is asked while it starts (default 20 ms). */
export async function startBlackbox(dir: string, caFile: string, pollMs = 20): Promise<BlackboxProcess> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'blackbox.yml');
  writeFileSync(file, JSON.stringify({ modules: blackboxModules(caFile) }, null, 1));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerBinary('blackbox_exporter', BLACKBOX_BIN, [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`], `${url}/-/healthy`, {
    intervalMs: pollMs,
    timeoutMs: 15_000,
  });
  return {
    pid: server.pid,
    spawnedAt: server.spawnedAt,
    url,
    probeUrl: (target, module) => `${url}/probe?target=${encodeURIComponent(target)}&module=${module}`,
    stop: server.stop,
  };
}
