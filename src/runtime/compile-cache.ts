import nodeModule from 'node:module';

/** What `module.enableCompileCache()` offers on Node.js 22.1 and later (absent on Node.js 20). */
interface CompileCacheApi {
  enableCompileCache?: (cacheDir?: string) => { status: number; message?: string; directory?: string };
  constants?: { compileCacheStatus?: Readonly<Record<string, number>> };
}

/**
 * Turns on Node's on-disk cache of compiled modules (V8 code cache), so that a start after the
 * first skips parsing and compiling the daemon's and its packages' modules: it must run before
 * they are imported. The cache lives where Node puts it (`node-compile-cache` in the temporary
 * directory, or `NODE_COMPILE_CACHE`), keyed by file content and Node version; Node never lets a
 * stale entry through and `NODE_DISABLE_COMPILE_CACHE=1` turns it off. Where the directory cannot
 * be written the modules are compiled as before. Returns what happened: `enabled`,
 * `already-enabled` (NODE_COMPILE_CACHE), `disabled`, `failed`, or `unsupported` (Node.js 20).
 */
export function enableCompileCache(api: CompileCacheApi = nodeModule as CompileCacheApi): string {
  if (typeof api.enableCompileCache !== 'function') return 'unsupported';
  let status: number;
  try {
    status = api.enableCompileCache().status;
  } catch {
    return 'failed';
  }
  const names = api.constants?.compileCacheStatus ?? {};
  const name = Object.keys(names).find((k) => names[k] === status);
  return name ? name.toLowerCase().replace(/_/g, '-') : 'failed';
}
