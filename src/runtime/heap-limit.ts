/**
 * Sizing the V8 heap from the container's memory limit. Node reads the cgroup limit, but sizes the
 * heap as V8 does for a machine of that much memory, with a floor: under a 192 MiB limit a heap
 * grows past 180 MB and the kernel kills the process before V8's own limit is reached, so V8
 * never collects hard. The old generation is therefore capped at half the limit (the
 * rest is for the young generation, code, buffers and sockets: about 70 MB at 1,000 exporters);
 * near that cap V8 collects fully instead of growing.
 *
 * V8 takes its heap limit only when the process starts, so the daemon starts itself again in place
 * (`process.execve`, Node.js 22.15 and later: same pid, nothing left behind) with
 * `--max-old-space-size`. On older Node.js the limit is left as it is; give the flag yourself
 * (NODE_OPTIONS) there. A heap limit given by hand always wins.
 */

/** The share of the memory limit the old generation may take. */
export const HEAP_SHARE_OF_LIMIT = 0.5;
/** Below this the daemon would collect all the time; a limit that small is left to Node. */
export const MIN_OLD_SPACE_MB = 48;
/** Anything this large means no limit (cgroup v1 writes "none" as about 2^63). */
const UNLIMITED = 2 ** 50;

/** Options that size the heap by hand. */
const OWN_LIMIT = /--(?:max-old-space-size|max-old-space-size-percentage|max-heap-size)\b/;

/** The old generation size in MB for a memory limit in bytes; null when there is no usable limit. */
export function oldSpaceMbFor(limitBytes: number | undefined): number | null {
  if (limitBytes === undefined || !Number.isFinite(limitBytes) || limitBytes <= 0 || limitBytes >= UNLIMITED) return null;
  const mb = Math.floor((limitBytes * HEAP_SHARE_OF_LIMIT) / (1024 * 1024));
  return mb >= MIN_OLD_SPACE_MB ? mb : null;
}

export type HeapSizing =
  /** the process is being replaced by one with this flag */
  | { readonly action: 'restart'; readonly flag: string }
  /** nothing to do, and why */
  | { readonly action: 'none'; readonly why: 'no limit' | 'own limit' | 'already sized' | 'no execve' };

export interface HeapSizingInput {
  /** the memory limit the process runs under, in bytes (process.constrainedMemory()) */
  readonly limitBytes: number | undefined;
  readonly execArgv: readonly string[];
  readonly nodeOptions: string;
  readonly canExecve: boolean;
}

/** What to do about the heap limit: restart with a flag, or nothing. */
export function planHeapSizing(input: HeapSizingInput): HeapSizing {
  const mb = oldSpaceMbFor(input.limitBytes);
  if (mb === null) return { action: 'none', why: 'no limit' };
  if (OWN_LIMIT.test([...input.execArgv, input.nodeOptions].join(' ').replace(/_/g, '-'))) {
    // ours from a restart already (argv carries it), or given by hand
    return { action: 'none', why: input.execArgv.includes(`--max-old-space-size=${mb}`) ? 'already sized' : 'own limit' };
  }
  if (!input.canExecve) return { action: 'none', why: 'no execve' };
  return { action: 'restart', flag: `--max-old-space-size=${mb}` };
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Sizes the heap to the memory limit: when a restart is planned this call does not return (the
 * process image is replaced). Otherwise returns the plan, for the log.
 */
export function sizeHeapToMemoryLimit(limitBytes: number | undefined = process.constrainedMemory?.()): HeapSizing {
  const execve = (process as unknown as { execve?: Execve }).execve;
  const plan = planHeapSizing({
    limitBytes,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
    canExecve: typeof execve === 'function',
  });
  if (plan.action === 'restart' && execve) {
    execve.call(process, process.execPath, [process.execPath, ...process.execArgv, plan.flag, ...process.argv.slice(1)], process.env);
  }
  return plan;
}
