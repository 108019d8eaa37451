import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Spawns a command in its own process group and ties that whole group to this process: a watcher
 * shell holds a pipe from this process and, when the pipe closes (this process exits or is killed,
 * e.g. by tap's timeout, without running any teardown), SIGKILLs the group, so the command's own
 * children (the daemons a bench starts) go with it. `killGroup()` does the same at once.
 */
export interface GroupChild {
  readonly child: ChildProcess;
  killGroup(): void;
}

export function spawnGroup(command: string, args: readonly string[], opts: SpawnOptions = {}): GroupChild {
  const child = spawn(command, args, { ...opts, detached: true });
  const pgid = child.pid;
  if (pgid === undefined) return { child, killGroup: () => undefined };
  const watcher = spawn('sh', ['-c', 'read _ 2>/dev/null; kill -KILL "-$0" 2>/dev/null; exit 0', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  watcher.unref();
  (watcher.stdin as unknown as { unref?: () => void }).unref?.();
  watcher.stdin!.on('error', () => undefined);
  const killGroup = (): void => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    watcher.stdin!.end();
  };
  // the group outlives its leader only when a child was left behind: kill what is left
  child.once('exit', () => watcher.stdin!.end());
  return { child, killGroup };
}
