import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readCpuPercent, warmCpuUsage } from '../../src/collector/cpu-usage.js';

// Its own file: the warm-up happens once per process, here after a reading.
t.test('a warm-up after a reading keeps the previous sample of the process read', async (t) => {
  const busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  t.teardown(() => void busy.kill('SIGKILL'));
  await once(busy, 'spawn');
  await readCpuPercent(busy.pid!);
  await warmCpuUsage();
  await new Promise((r) => setTimeout(r, 300));
  // with its previous sample dropped, pidusage would read twice at once and answer 0
  const since = await readCpuPercent(busy.pid!);
  t.ok(since !== null && since > 0, `the CPU use since the previous reading (${since}%)`);
});
