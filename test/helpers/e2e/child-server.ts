import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ops/prometheus-server.js';
import { spawnTethered } from './tethered-child.js';

export interface ChildServerOptions {
  /** for messages and the temp dir's name */
  readonly name: string;
  readonly binary: string;
  /** the arguments for a given port and working directory */
  readonly args: (port: number, dir: string) => readonly string[];
  /** called before each start attempt to write config files into `dir` */
  readonly prepare?: (port: number, dir: string) => void;
  /** GET path answering 200 once the server is ready */
  readonly readyPath: string;
  /** generous by default: a loaded 2-core machine starts Prometheus slowly */
  readonly startTimeoutMs?: number;
}

/**
 * A server binary (Prometheus, Alertmanager) run as a child on 127.0.0.1, owned by the caller:
 * `stop()` it in a teardown. It is tethered to this process (see spawnTethered), so it also goes
 * when a test process is killed before its teardown. Its port comes from freePort(), so a start
 * that loses the port to someone else is retried on another one.
 */
export interface ChildServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** the tail of its stderr, to explain a failure */
  log(): string;
  stop(): Promise<void>;
}

export async function startChildServer(o: ChildServerOptions): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), `otel-sentinel-e2e-${o.name}-`));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      o.prepare?.(port, dir);
      const child = await spawnTethered(o.binary, o.args(port, dir), { stderr: 'pipe' });
      let stderr = '';
      child.wrapper.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr = (stderr + d).slice(-8_000);
      });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + (o.startTimeoutMs ?? 45_000);
      let ready = false;
      while (Date.now() < deadline && !child.exited()) {
        try {
          const res = await fetch(`${url}${o.readyPath}`, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          if (res.status === 200) {
            ready = true;
            break;
          }
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      if (ready) {
        let stopped = false;
        return {
          port,
          url,
          dir,
          pid: child.pid,
          log: () => stderr,
          stop: async () => {
            if (stopped) return;
            stopped = true;
            await child.stop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      const exited = child.exited();
      await child.stop();
      if (exited && /address already in use/.test(stderr)) continue;
      throw new Error(`${o.name} (${o.binary}) ${exited ? 'exited at start' : `not ready on ${url} in time`}:\n${stderr}`);
    }
    throw new Error(`${o.name}: no free port after 3 attempts`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
