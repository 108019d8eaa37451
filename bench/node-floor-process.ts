import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { httpGet, pollUntil } from './http-get.js';
import type { FloorTarget } from './node-floor.js';
import type { BenchExporter } from './sentinel-process.js';
import { HEAP_FLAGS } from '../src/runtime/heap-tuning.js';
import { IMAGE_NODE_FLAGS } from './shipped-bin.js';
import { stopChild } from './stop-child.js';

/** The built program: from the TypeScript source (in tests), the one `npm run build` put in dist/. */
const SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../dist/bench/node-floor.js' : './node-floor.js', import.meta.url));

/** What the floor is asked for an exporter of the generated collector config. */
export function floorTargetOf(e: BenchExporter): FloorTarget {
  const caFile = e.tls?.ca_file;
  return { kind: e.id.startsWith('otlphttp/') ? 'http' : 'grpc', endpoint: e.endpoint, ...(caFile ? { caFile } : {}) };
}

/** A running floor prober (`node-floor.js`). Lifecycle: `startNodeFloor()`, `waitReady()`, read, `stop()` once. */
export interface NodeFloorProcess {
  readonly pid: number;
  /** performance.now() just before the spawn */
  readonly spawnedAt: number;
  /** ms from spawn to its first round done, every target answered; rejects when any failed */
  waitReady(deadlineMs?: number): Promise<number>;
  stats(): Promise<{ probes: number; failed: number }>;
  stop(): Promise<void>;
}

/** Starts the floor prober with the node flags the image gives the daemon and the heap options the daemon sets itself. */
export async function startNodeFloor(targets: readonly FloorTarget[], intervalMs?: number): Promise<NodeFloorProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...IMAGE_NODE_FLAGS, SCRIPT, JSON.stringify({ port, targets, v8Flags: HEAP_FLAGS, ...(intervalMs ? { intervalMs } : {}) })], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the Node.js floor prober exited (${code})`))));
  exited.catch(() => {});
  return {
    pid: child.pid!,
    spawnedAt,
    async waitReady(deadlineMs = 30_000) {
      // pollUntil retries a check that throws, so a failed first round comes back as a value
      const ready = pollUntil(
        "the Node.js floor prober's first round",
        async () => {
          const a = await httpGet(`${url}/readyz`, 2000);
          if (a.status === 500) return { failed: a.body };
          return a.status === 200 ? { ms: performance.now() - spawnedAt } : undefined;
        },
        10, // as often as the daemon's /readyz is asked: each answer costs the asked process CPU
        deadlineMs,
      );
      const r = await Promise.race([ready, exited]);
      if ('failed' in r) throw new Error(`the Node.js floor prober's first round failed: ${r.failed}`);
      return r.ms;
    },
    async stats() {
      const a = await httpGet(`${url}/stats`, 5000);
      return JSON.parse(a.body) as { probes: number; failed: number };
    },
    async stop() {
      await stopChild(child, 2000);
    },
  };
}
