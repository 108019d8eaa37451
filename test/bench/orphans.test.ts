/**
 * A test process killed without its teardown (tap's timeout) must not leave the processes its
 * child started behind: spawnGroup() ties the child's whole process group to the test process.
 * The plain spawn is the contrast: its grandchild survives the kill (and is cleaned up here).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/e2e/wait-for.js';

const parent = fileURLToPath(new URL('./fixtures/group-parent.ts', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** starts the parent, reads the grandchild's pid, SIGKILLs the parent; the grandchild's pid */
async function killParent(mode: 'group' | 'plain'): Promise<number> {
  const p = spawn(process.execPath, [...process.execArgv, parent, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(Number(out.trim().split('\n')[0]));
    });
    p.once('exit', (code) => reject(new Error(`the parent exited (${code}) before its child started`)));
  });
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
  return pid;
}

t.test('a grandchild dies with the killed test process when started in a tethered group', async (t) => {
  const pid = await killParent('group');
  t.ok(pid > 0, `the grandchild ran (${pid})`);
  await waitFor('the grandchild to be gone', () => (alive(pid) ? undefined : true));
  t.notOk(alive(pid), 'the sleep went with its group');
});

t.test('without the tether the grandchild is left behind', async (t) => {
  const pid = await killParent('plain');
  t.teardown(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  // the parent is gone for good; its grandchild keeps running on its own
  t.ok(alive(pid), 'the sleep survived the parent');
});
