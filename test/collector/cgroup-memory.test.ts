import t from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readCgroupMemory, resolveMemoryCgroup, parseOomKills } from '../../src/collector/cgroup-memory.js';
import { effectiveMemoryLimit } from '../../src/collector/effective-memory-limit.js';
import { parseProcessStat } from '../../src/collector/process-stat.js';
import { parseNofileLimit } from '../../src/collector/fd-usage.js';
import { parseEnviron } from '../../src/collector/process-environment.js';

const MiB = 1024 * 1024;

t.test('v2 mount elsewhere (mountinfo), limit the smallest up the tree', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sentinel-cg-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const put = async (rel: string, text: string): Promise<void> => {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  };
  await put('proc/7/cgroup', '0::/system.slice/otelcol.service\n');
  await put('proc/self/mountinfo', '30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n');
  await put('sys/fs/cgroup/system.slice/otelcol.service/memory.max', `${300 * MiB}\n`);
  await put('sys/fs/cgroup/system.slice/memory.max', `${200 * MiB}\n`);
  await put('sys/fs/cgroup/system.slice/otelcol.service/memory.events', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 2\n');
  const r = await resolveMemoryCgroup(join(root, 'proc'), join(root, 'sys'), 7);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.cgroup.version, 2);
  t.equal(r.cgroup.dir, join(root, 'sys/fs/cgroup/system.slice/otelcol.service'));
  t.same(await readCgroupMemory(r.cgroup), { limitBytes: 200 * MiB, oomKills: 2 });
  const gone = await resolveMemoryCgroup(join(root, 'proc'), join(root, 'sys'), 8);
  t.same(gone.ok ? null : [gone.why.code, gone.why.permission], ['ENOENT', false]);
  await put('proc/9/cgroup', '4:memory:/elsewhere/x\n');
  await put('proc/self/mountinfo', '35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n');
  const outside = await resolveMemoryCgroup(join(root, 'proc'), join(root, 'sys'), 9);
  t.match(outside.ok ? '' : outside.why.detail, /is not below the cgroup mount/);
});

t.test('small parsers', async (t) => {
  t.same(parseProcessStat('12 (a) b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99 100'), { comm: 'a) b) c', state: 'S', startTicks: 99 });
  t.equal(parseProcessStat('12 (trunc'), null);
  t.equal(parseProcessStat('12 (x) S 1 2'), null);
  t.same(parseNofileLimit('Max open files            unlimited            unlimited            files\n'), { soft: null, hard: null });
  t.equal(parseNofileLimit('Max cpu time unlimited unlimited seconds\n'), null);
  t.same({ ...parseEnviron('A=1\0B=x=y\0junk\0=bad\0\0') }, { A: '1', B: 'x=y' });
  t.equal(parseOomKills('oom 1\noom_kill 7\noom_group_kill 0\n'), 7);
  t.equal(parseOomKills('under_oom 0\n'), null);
});

t.test('effective limit: the smallest wins, limit_percentage of the cgroup limit or host memory', async (t) => {
  // the memory_limiter refuses from its soft limit on: limit - spike, the spike a fifth of the limit when not set
  t.same(effectiveMemoryLimit(512 * MiB, { limitMib: 400 }, 8192 * MiB), { bytes: 320 * MiB, source: 'memory_limiter', limiter: { hardBytes: 400 * MiB, spikeBytes: 80 * MiB } });
  t.same(effectiveMemoryLimit(512 * MiB, { limitMib: 400, spikeLimitMib: 50 }, 8192 * MiB), { bytes: 350 * MiB, source: 'memory_limiter', limiter: { hardBytes: 400 * MiB, spikeBytes: 50 * MiB } });
  const pct80 = Math.floor(512 * MiB * 0.8);
  t.same(effectiveMemoryLimit(512 * MiB, { limitPercentage: 80 }, 8192 * MiB), { bytes: pct80 - Math.floor(pct80 / 5), source: 'memory_limiter', limiter: { hardBytes: pct80, spikeBytes: Math.floor(pct80 / 5) } });
  t.same(effectiveMemoryLimit(null, { limitPercentage: 50, spikeLimitPercentage: 10 }, 1000), { bytes: 400, source: 'memory_limiter', limiter: { hardBytes: 500, spikeBytes: 100 } });
  // processors with limit_mib and with only limit_percentage both count: the smaller soft limit wins
  t.equal(effectiveMemoryLimit(null, { limitMib: 1, limitPercentage: 50, spikeLimitPercentage: 10 }, 1000 * MiB)!.bytes, MiB - Math.floor(MiB / 5));
  t.equal(effectiveMemoryLimit(null, { limitMib: 1000, limitPercentage: 50, spikeLimitPercentage: 10 }, 1000 * MiB)!.bytes, 400 * MiB);
  t.same(effectiveMemoryLimit(256 * MiB, { limitMib: 400 }, 8192 * MiB), { bytes: 256 * MiB, source: 'cgroup' });
  t.same(effectiveMemoryLimit(null, null, 1000), { bytes: 1000, source: 'host' });
  t.equal(effectiveMemoryLimit(null, null, null), null);
});

t.test('fd classification samples fd numbers when there are many', async (t) => {
  const { classifyFds } = await import('../../src/collector/fd-usage.js');
  const { symlink } = await import('node:fs/promises');
  const root = await mkdtemp(join(tmpdir(), 'sentinel-fd-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, '5', 'fd');
  await mkdir(dir, { recursive: true });
  const target = (i: number): string => (i % 5 < 3 ? `socket:[${i}]` : i % 5 === 3 ? `/var/lib/otelcol/file_storage/${i}` : `pipe:[${i}]`);
  for (let i = 0; i < 2000; i++) await symlink(target(i), join(dir, String(i)));
  const sampled = await classifyFds(root, 5, 2000);
  t.ok(sampled);
  t.ok(sampled!.sampled > 200 && sampled!.sampled <= 256, `sampled ${sampled!.sampled}`);
  t.ok(Math.abs(sampled!.sockets - 1200) < 120, `sockets ~1200 (${sampled!.sockets})`);
  t.ok(Math.abs(sampled!.files - 400) < 80, `files ~400 (${sampled!.files})`);
  t.ok(Math.abs(sampled!.pipes - 400) < 80, `pipes ~400 (${sampled!.pipes})`);
  const listed = await classifyFds(root, 5);
  t.same(listed && [listed.sockets + listed.files + listed.pipes + listed.other], [2000], 'listing path scales to the count');
});
