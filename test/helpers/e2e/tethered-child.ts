import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs `"$@"` in the background and passes on its pid; a watcher waits for EOF on the wrapper's
 * stdin (the pipe from the test process) and then sends SIGTERM. A test process that dies without
 * its teardown (tap's timeout kills it) closes that pipe with it, so the server goes too.
 */
const TETHER = [
  'exec 3<&0',
  '"$@" </dev/null >/dev/null 3<&- &',
  'p=$!',
  'echo "$p"',
  '( read _ <&3; kill -TERM "$p" 2>/dev/null ) &',
  'w=$!',
  'exec 3<&-',
  'wait "$p"',
  'st=$?',
  'kill "$w" 2>/dev/null',
  'exit "$st"',
].join('\n');

/**
 * A child process tied to the life of this one. Lifecycle: `spawnTethered()`, await `pid`, read
 * `stderr`, `stop()` once (SIGTERM, then SIGKILL after `graceMs`). `exited` tells whether it is gone.
 */
export interface TetheredChild {
  /** the pid of the command itself (not of the wrapper shell) */
  readonly pid: number;
  /** the wrapper shell; its stderr is the command's (piped when asked for with `stderr: 'pipe'`) */
  readonly wrapper: ChildProcess;
  exited(): boolean;
  /** resolves when the command has exited, with its code (or 128+signal, as sh reports it) */
  readonly exit: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

export async function spawnTethered(
  command: string,
  args: readonly string[],
  opts: { readonly stderr?: 'pipe' | 'ignore'; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<TetheredChild> {
  const wrapper = spawn('sh', ['-c', TETHER, 'tether', command, ...args], {
    stdio: ['pipe', 'pipe', opts.stderr ?? 'ignore'],
    env: opts.env ?? process.env,
  });
  const exit = new Promise<number | null>((resolve) => wrapper.once('exit', (code) => resolve(code)));
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    wrapper.once('error', reject);
    wrapper.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(Number(line.trim()));
    });
    void exit.then(() => reject(new Error(`the wrapper of ${command} exited before it started the command`)));
  });
  wrapper.stdout!.resume();
  const exited = (): boolean => wrapper.exitCode !== null || wrapper.signalCode !== null;
  return {
    pid,
    wrapper,
    exited,
    exit,
    stop: async (graceMs = 10_000) => {
      if (exited()) return;
      wrapper.stdin!.end();
      const timer = (ms: number): Promise<'late'> => new Promise((r) => setTimeout(() => r('late'), ms).unref());
      if ((await Promise.race([exit, timer(graceMs)])) !== 'late') return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      wrapper.kill('SIGKILL');
      await Promise.race([exit, timer(5_000)]);
    },
  };
}
