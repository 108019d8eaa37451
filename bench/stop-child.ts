import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child as its supervisor would: SIGTERM, then SIGKILL after `graceMs`. Resolves with its
 * exit code (null when a signal ended it), also when it had exited already.
 */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    const [code] = await exited;
    return code;
  } finally {
    clearTimeout(timer);
  }
}
