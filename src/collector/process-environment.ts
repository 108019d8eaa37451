import { join } from 'node:path';
import { readProcFile } from './read-proc-file.js';

/** The environment of another process, or why it could not be read. */
export type EnvironmentRead =
  | { readonly ok: true; readonly env: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly code: string };

/**
 * Reads /proc/PID/environ: NUL-separated `NAME=value` entries, as the process was started (later
 * setenv calls inside the process are not visible, which is fine: the collector expands ${env:X}
 * at start). The kernel allows this read only to the same user or with CAP_SYS_PTRACE (EACCES
 * otherwise). The values are secrets as far as any output goes; only names may be shown.
 */
export async function readProcessEnvironment(procRoot: string, pid: number): Promise<EnvironmentRead> {
  const r = await readProcFile(join(procRoot, String(pid), 'environ'), MAX_ENVIRON_BYTES);
  if (!r.ok) return r;
  // cut at the limit: the last entry may be cut short, and a variable with part of its value is worse than none
  const text = Buffer.byteLength(r.text) >= MAX_ENVIRON_BYTES ? r.text.slice(0, r.text.lastIndexOf('\0') + 1) : r.text;
  return { ok: true, env: parseEnviron(text) };
}

/** The most of /proc/PID/environ read; Linux allows about 2 MiB of arguments and environment together. */
export const MAX_ENVIRON_BYTES = 1024 * 1024;

/** Splits an environ block; entries without `=` are skipped, the first `=` separates name and value. */
export function parseEnviron(text: string): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
