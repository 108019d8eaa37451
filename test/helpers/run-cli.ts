import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

/** The built CLI (pretest builds it). */
export const BIN = resolve('dist/src/bin.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI to its exit without blocking this process: tests host the CLI's backends
 * here, so spawnSync would deadlock them. Killed after 60 s.
 */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<CliRun> {
  return runNode([BIN, ...args], { env: { ...process.env, ...env } });
}

/** `node ...argv` (this process's node) to its exit, its output kept; killed after 60 s. */
export async function runNode(argv: readonly string[], o: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string }): Promise<CliRun> {
  const child = spawn(process.execPath, argv, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], ...(o.cwd ? { cwd: o.cwd } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
