import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readCpuPercent } from '../../src/collector/cpu-usage.js';

t.test('reads the CPU use of a live process; null for a dead one', async (t) => {
  // a child that keeps one core busy
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  await once(child, 'spawn');
  await readCpuPercent(child.pid!);
  await new Promise((r) => setTimeout(r, 300));
  const busy = await readCpuPercent(child.pid!);
  t.type(busy, 'number');
  t.ok(busy! > 0, `a spinning process uses CPU (${busy}%)`);
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.equal(await readCpuPercent(child.pid!), null);
});
