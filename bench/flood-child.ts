import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FloodOptions } from './connection-flood.js';
import type { FloodStats } from './flood-process.js';

/** A flood run by `flood-process.js` in a child process. Lifecycle: `startFloodProcess()`, `stats()` at will, `stop()` once. */
export interface FloodProcess {
  stats(): Promise<FloodStats>;
  stop(): Promise<void>;
}

/** The built script: from the TypeScript source (in tests), the one `npm run build` put in dist/. */
const SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../dist/bench/flood-process.js' : './flood-process.js', import.meta.url));

/** Starts the flood in a child process; resolves once its connections are open. */
export async function startFloodProcess(o: FloodOptions): Promise<FloodProcess> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((s: FloodStats) => void)[] = [];
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as FloodStats));
  const next = (): Promise<FloodStats> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      void exited.then(() => reject(new Error('the flood process exited')));
    });
  await next();
  let stopped = false;
  return {
    stats() {
      const s = next();
      child.stdin.write('\n');
      return s;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.stdin.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
