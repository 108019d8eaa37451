import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { classifyFds, countFds, isProcfs } from '../../src/collector/fd-usage.js';

/** The fds a collector with a runaway connection leak might hold. */
const WANTED = 100_000;

/**
 * A child process that opens /dev/null until it holds WANTED fds or the machine refuses more. Its
 * hard RLIMIT_NOFILE is raised first where allowed (root, or a hard limit already that high);
 * otherwise it holds as many as its limit lets it. Prints the number it opened, then waits.
 */
const HOLDER = `
const fs = require('node:fs');
let n = 0;
for (; n < ${WANTED}; n++) {
  try { fs.openSync('/dev/null', 'r'); } catch { break; }
}
process.stdout.write(String(n) + '\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

t.test('a process holding as many fds as the machine allows: counted whole, classified from a bounded sample', async (t) => {
  t.ok(await isProcfs('/proc'), '/proc is a procfs');
  const child = spawn('/bin/sh', ['-c', `ulimit -n ${WANTED + 200} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" -e "$1"`, process.execPath, HOLDER], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    child.stdin.end();
    child.kill();
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const opened = Number(line.toString().trim());
  t.ok(opened >= 500, `the child holds ${opened} fds (as many as it was allowed, up to ${WANTED})`);
  t.comment(`fds held by the child: ${opened}`);
  const pid = child.pid!;

  const fast = await countFds('/proc', pid, true);
  t.ok(fast.ok, 'counted');
  const open = fast.ok ? fast.open : 0;
  t.ok(open >= opened && open <= opened + 64, `the count (${open}) is what the child holds, plus its own few`);

  // as on a kernel before 6.2: the directory is listed, as a stream
  const listed = await countFds('/proc', pid, false);
  t.same(listed, { ok: true, open }, 'the streamed listing gives the same count');

  const sampled = await classifyFds('/proc', pid, open);
  t.ok(sampled !== null && sampled.sampled <= 256, `at most 256 links read (${sampled?.sampled})`);
  t.ok(sampled !== null && sampled.files / open > 0.9, 'nearly all of them are files (/dev/null), scaled from the sample');

  const unsized = await classifyFds('/proc', pid);
  t.ok(unsized !== null && unsized.sampled <= 256, 'without a known count: still at most 256 links read');
  t.ok(unsized !== null && Math.abs(unsized.files + unsized.sockets + unsized.pipes + unsized.other - open) <= 64, 'scaled to the whole count');
});

t.test('a process that is gone: an errno, not a throw', async (t) => {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  const r = await countFds('/proc', child.pid!, false);
  t.same(r, { ok: false, code: 'ENOENT' });
  t.equal(await classifyFds('/proc', child.pid!), null);
});
