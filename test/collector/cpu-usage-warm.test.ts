import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { readCpuPercent, warmCpuUsage } from '../../src/collector/cpu-usage.js';

// Its own file: pidusage learns the clock tick once per process, and this test watches that happen.
t.test('the warm-up runs pidusage’s getconf once, before any reading, and readings then run none', async (t) => {
  // published as the child is made, before its arguments are set: read them later
  const children: ChildProcess[] = [];
  const onSpawn = (m: unknown): void => {
    children.push((m as { process: ChildProcess }).process);
  };
  const spawned = {
    get list(): string[] {
      return children.map((c) => (c.spawnargs ?? []).join(' '));
    },
  };
  channel('child_process').subscribe(onSpawn);
  t.teardown(() => channel('child_process').unsubscribe(onSpawn));

  const busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  t.teardown(() => void busy.kill('SIGKILL'));
  await once(busy, 'spawn');
  children.length = 0;

  const warm = warmCpuUsage();
  t.equal(warmCpuUsage(), warm, 'one warm-up per process');
  // a reading that starts while the warm-up runs waits for it instead of running getconf again
  const first = readCpuPercent(busy.pid!);
  await warm;
  t.type(await first, 'number');
  const getconf = spawned.list.filter((s) => s.includes('getconf'));
  t.equal(getconf.length, 2, `clock tick and page size, once each (${spawned.list.join('; ')})`);

  children.length = 0;
  await new Promise((r) => setTimeout(r, 300));
  const again = await readCpuPercent(busy.pid!);
  t.ok(again !== null && again > 0, `a spinning process uses CPU (${again}%)`);
  t.same(spawned.list, [], 'no process is started for a reading');
});
