import { spawn } from 'node:child_process';
import { httpGet, pollUntil } from './http-get.js';

/** A server program started by the bench. Lifecycle: `startServerBinary()` (resolves once ready), `stop()` once. */
export interface ServerBinary {
  readonly pid: number;
  /** performance.now() right before the spawn */
  readonly spawnedAt: number;
  stop(): Promise<void>;
}

/**
 * Starts a server program listening on loopback and waits until `readyUrl` answers 200; on
 * failure it stops the program and throws with the program's stderr. Stop is SIGTERM, then
 * SIGKILL after 5 s.
 */
export async function startServerBinary(
  name: string,
  bin: string,
  args: readonly string[],
  readyUrl: string,
  wait: { intervalMs: number; timeoutMs: number },
): Promise<ServerBinary> {
  const spawnedAt = performance.now();
  const child = spawn(bin, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    await pollUntil(`${name} ${new URL(readyUrl).pathname}`, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr.trim()}`);
      return (await httpGet(readyUrl, 2000)).status === 200 ? true : undefined;
    }, wait.intervalMs, wait.timeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr.trim().slice(0, 1000)}`);
  }
  return { pid: child.pid!, spawnedAt, stop };
}
