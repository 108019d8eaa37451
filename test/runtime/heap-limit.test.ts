import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import t from 'tap';
import { oldSpaceMbFor, planHeapSizing, sizeHeapToMemoryLimit } from '../../src/runtime/heap-limit.js';

const MiB = 1024 * 1024;

t.test('the old generation gets half the memory limit; no limit, or a tiny one, is left to Node', async (t) => {
  t.equal(oldSpaceMbFor(192 * MiB), 96, "the manifest's 192Mi");
  t.equal(oldSpaceMbFor(512 * MiB), 256);
  t.equal(oldSpaceMbFor(undefined), null, 'no cgroup limit known');
  t.equal(oldSpaceMbFor(0), null);
  t.equal(oldSpaceMbFor(2 ** 64), null, 'cgroup v2 "max" as Node reports it');
  t.equal(oldSpaceMbFor(9223372036854771712), null, 'cgroup v1 "no limit"');
  t.equal(oldSpaceMbFor(64 * MiB), null, 'a limit under 96 MiB would starve the heap');
});

t.test('restart with the flag only under a limit, without a heap limit of its own, where execve exists', async (t) => {
  const base = { limitBytes: 192 * MiB, execArgv: [], nodeOptions: '', canExecve: true };
  t.same(planHeapSizing(base), { action: 'restart', flag: '--max-old-space-size=96' });
  t.same(planHeapSizing({ ...base, limitBytes: undefined }), { action: 'none', why: 'no limit' });
  t.same(planHeapSizing({ ...base, execArgv: ['--max-old-space-size=96'] }), { action: 'none', why: 'already sized' }, 'the restarted process stops there');
  t.same(planHeapSizing({ ...base, execArgv: ['--max-old-space-size=300'] }), { action: 'none', why: 'own limit' });
  t.same(planHeapSizing({ ...base, nodeOptions: '--max_old_space_size=64' }), { action: 'none', why: 'own limit' }, 'in NODE_OPTIONS, with underscores');
  t.same(planHeapSizing({ ...base, nodeOptions: '--max-old-space-size-percentage=40' }), { action: 'none', why: 'own limit' });
  t.same(planHeapSizing({ ...base, canExecve: false }), { action: 'none', why: 'no execve' });
});

t.test('without a limit the process is left alone', async (t) => {
  t.same(sizeHeapToMemoryLimit(undefined), { action: 'none', why: 'no limit' });
});

t.test('a process under a 192 MiB limit restarts itself in place with the heap limit, where Node.js can', async (t) => {
  const mod = pathToFileURL(resolve('dist/src/runtime/heap-limit.js')).href;
  const script = `
    const { sizeHeapToMemoryLimit } = await import(${JSON.stringify(mod)});
    const { getHeapStatistics } = await import('node:v8');
    const plan = sizeHeapToMemoryLimit(${192 * MiB});
    console.log(JSON.stringify({ plan, execArgv: process.execArgv, pid: process.pid, heap: getHeapStatistics().heap_size_limit }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { plan: { action: string; why?: string }; execArgv: string[]; pid: number; heap: number });
  t.equal(lines.length, 1, 'one line: a restarted process replaced the first before it printed');
  const got = lines[0]!;
  t.equal(got.pid, child.pid, 'the same pid');
  if (typeof (process as { execve?: unknown }).execve === 'function') {
    t.same(got.plan, { action: 'none', why: 'already sized' }, 'restarted once, then left alone');
    t.ok(got.execArgv.includes('--max-old-space-size=96'), 'with the flag');
    t.ok(got.heap < 192 * MiB * 1.6, `V8's heap limit follows (${Math.round(got.heap / MiB)} MB, young generation reserve included)`);
  } else {
    t.same(got.plan, { action: 'none', why: 'no execve' }, 'Node.js without process.execve: left as it is');
    t.notOk(got.execArgv.some((a) => a.startsWith('--max-old-space-size')), 'not restarted');
  }
});
