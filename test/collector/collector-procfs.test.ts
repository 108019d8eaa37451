import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJudgedWatcher } from '../helpers/judged.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import type { CollectorReport } from '../../src/diagnose/collector-report.js';

const PID = 4242;
const MiB = 1024 * 1024;

function config(proc: Partial<SentinelConfig['collector']['process']> = { pid: PID }): SentinelConfig {
  return {
    source: null,
    listen: { host: '127.0.0.1', port: 0 },
    collector: { configFiles: [], process: { pid: 0, pidFile: '', name: '', ...proc }, telemetryUrl: '', useProcessEnvironment: true },
    probe: { intervalMs: 15000, timeoutMs: 5000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: { fdRatio: 0.8, memoryRatio: 0.85, certExpiryMs: 0, slowResponseMs: 2000, queueRatio: 0.7 },
    log: { level: 'info' },
    web: { tlsCertFile: '', tlsKeyFile: '', basicAuthUsers: {}, unauthenticatedPaths: [], enableLifecycle: false, maxConnections: 64 },
  };
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);

/** A fake /proc and /sys in a temp dir: the same files the kernel would show, written by hand. */
async function fakeRoot(t: Test): Promise<{ proc: string; sys: string; put: (rel: string, text: string) => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'sentinel-procfs-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const put = async (rel: string, text: string): Promise<void> => {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  await put('proc/meminfo', 'MemTotal:       16384000 kB\nMemFree:         1000000 kB\n');
  return { proc: join(root, 'proc'), sys: join(root, 'sys'), put };
}

async function fakeProcess(put: (rel: string, text: string) => Promise<void>, o: { start: number; rssMib: number; cgroup: string; fds?: number }): Promise<void> {
  await put(`proc/${PID}/stat`, `${PID} (otelcol-contrib) S 1 ${PID} ${PID} 0 -1 4194560 100 0 0 0 50 20 0 0 20 0 12 0 ${o.start} 800000000 60000 18446744073709551615 0 0 0 0 0 0 0\n`);
  await put(`proc/${PID}/comm`, 'otelcol-contrib\n');
  await put(`proc/${PID}/status`, `Name:\totelcol-contrib\nState:\tS (sleeping)\nVmRSS:\t ${o.rssMib * 1024} kB\n`);
  await put(`proc/${PID}/limits`, 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 4096                 files     \n');
  await put(`proc/${PID}/cgroup`, o.cgroup);
  for (let i = 0; i < (o.fds ?? 10); i++) await put(`proc/${PID}/fd/${i}`, '');
}

const find = (r: CollectorReport, reason: string) => r.problems.find((p) => p.reason === reason);

t.test('cgroup v2: the pod-level limit applies, memory near it, and a rising oom_kill counter', async (t) => {
  const { proc, sys, put } = await fakeRoot(t);
  await fakeProcess(put, { start: 5000, rssMib: 250, cgroup: '0::/kubepods/pod1/ctr1\n' });
  await put('sys/fs/cgroup/kubepods/pod1/ctr1/memory.max', 'max\n');
  await put('sys/fs/cgroup/kubepods/pod1/memory.max', `${256 * MiB}\n`);
  const events = (n: number): string => `low 0\nhigh 0\nmax 12\noom 2\noom_kill ${n}\noom_group_kill 0\n`;
  await put('sys/fs/cgroup/kubepods/pod1/ctr1/memory.events', events(3));
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const w = createJudgedWatcher({ procRoot: proc, sysRoot: sys, now: () => clock });

  const r1 = await w.inspect(config(), null, signal());
  t.equal(r1.found, true);
  t.equal(r1.open_fds, 10);
  t.equal(r1.max_fds, 1024);
  t.equal(r1.rss_bytes, 250 * MiB);
  t.equal(r1.memory_limit_bytes, 256 * MiB);
  t.equal(r1.oom_kills, 0, 'kills from before we started do not count');
  const mem = find(r1, 'memory_near_limit');
  t.equal(mem?.severity, 'critical', '98% of the limit');
  t.match(mem?.message, '250.0 MiB resident memory, 98% of its cgroup limit 256.0 MiB');
  t.match(mem?.fix, /resources\.limits\.memory/);

  await put('sys/fs/cgroup/kubepods/pod1/ctr1/memory.events', events(4));
  clock += 15_000;
  const r2 = await w.inspect(config(), null, signal());
  t.equal(r2.oom_kills, 1);
  const oom = find(r2, 'oom_killed');
  t.equal(oom?.severity, 'critical');
  t.match(oom?.message, 'OOM-killed a process in the collector\'s memory cgroup /kubepods/pod1/ctr1 at 2026-01-01T00:00:15.000Z');

  clock += 5 * 60_000;
  const r3 = await w.inspect(config(), null, signal());
  t.ok(find(r3, 'oom_killed'), 'still shown 5 minutes later');
  t.equal(r3.oom_kills, 1, 'counted once');
  clock += 6 * 60_000;
  const r4 = await w.inspect(config(), null, signal());
  t.notOk(find(r4, 'oom_killed'), 'gone after 10 minutes');
  t.equal(r4.oom_kills, 1);
});

t.test('cgroup v1 in a container (mountinfo root), restart right after an OOM kill', async (t) => {
  const { proc, sys, put } = await fakeRoot(t);
  await fakeProcess(put, { start: 7000, rssMib: 100, cgroup: '12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/system.slice/containerd.service\n' });
  await put('proc/self/mountinfo', [
    '31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
    '35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n'));
  await put('sys/fs/cgroup/memory/memory.limit_in_bytes', `${512 * MiB}\n`);
  await put('sys/fs/cgroup/memory/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const w = createJudgedWatcher({ procRoot: proc, sysRoot: sys, now: () => clock });
  const r1 = await w.inspect(config({ name: 'otelcol-contrib' }), null, signal());
  t.equal(r1.pid, PID);
  t.equal(r1.memory_limit_bytes, 512 * MiB, 'the mount shows the container\'s own cgroup');
  t.same(r1.problems, []);

  // the kernel kills it; the same pid comes back with a new start time (PID 1 of a restarted container)
  await fakeProcess(put, { start: 9000, rssMib: 40, cgroup: '4:memory:/docker/abc\n' });
  await put('sys/fs/cgroup/memory/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
  clock += 15_000;
  const r2 = await w.inspect(config({ name: 'otelcol-contrib' }), null, signal());
  t.equal(r2.restarts, 1, 'new start time, same pid: a restart');
  t.equal(r2.oom_kills, 1);
  t.match(find(r2, 'oom_killed')?.message, `It came back as pid ${PID}`);
  t.notOk(find(r2, 'collector_restarted'), 'the OOM kill already explains the restart');
});

t.test('cgroup v1 without an oom_kill counter: a restart at the limit is taken for an OOM kill', async (t) => {
  const { proc, sys, put } = await fakeRoot(t);
  await fakeProcess(put, { start: 100, rssMib: 480, cgroup: '4:memory:/svc\n' });
  await put('sys/fs/cgroup/memory/svc/memory.limit_in_bytes', `${500 * MiB}\n`);
  await put('sys/fs/cgroup/memory/svc/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\n');
  await put('sys/fs/cgroup/memory/memory.limit_in_bytes', '9223372036854771712\n');
  const w = createJudgedWatcher({ procRoot: proc, sysRoot: sys });
  t.equal((await w.inspect(config(), null, signal())).memory_limit_bytes, 500 * MiB);
  await fakeProcess(put, { start: 200, rssMib: 30, cgroup: '4:memory:/svc\n' });
  const r = await w.inspect(config(), null, signal());
  t.equal(r.oom_kills, 1);
  t.match(find(r, 'oom_killed')?.message, /almost certainly an OOM kill/);
});

t.test('a cgroup out of reach, missing files, an unlimited cgroup: warnings and nulls, never a throw', async (t) => {
  const { proc, sys, put } = await fakeRoot(t);
  await fakeProcess(put, { start: 100, rssMib: 30, cgroup: '0::/../cri-containerd-other.scope\n' });
  const w = createJudgedWatcher({ procRoot: proc, sysRoot: sys });
  const r = await w.inspect(config(), null, signal());
  t.equal(r.found, true);
  t.equal(r.memory_limit_bytes, 16384000 * 1024, 'host memory');
  const cg = find(r, 'cgroup_unavailable');
  t.equal(cg?.severity, 'warning');
  t.match(cg?.message, /outside this container's cgroup namespace/);

  await put(`proc/${PID}/cgroup`, '0::/\n');
  await rm(join(proc, String(PID), 'limits'));
  await rm(join(proc, String(PID), 'status'));
  await rm(join(proc, String(PID), 'fd'), { recursive: true });
  await mkdir(join(sys, 'fs/cgroup'), { recursive: true });
  const r2 = await createJudgedWatcher({ procRoot: proc, sysRoot: sys }).inspect(config(), null, signal());
  t.equal(r2.found, true);
  t.same([r2.open_fds, r2.max_fds, r2.rss_bytes], [null, null, null]);
  t.equal(r2.memory_limit_bytes, 16384000 * 1024, 'the root cgroup has no memory.max: no limit there');
  t.same(r2.problems, []);

  await rm(join(proc, String(PID), 'cgroup'));
  await rm(join(proc, 'meminfo'));
  const r3 = await createJudgedWatcher({ procRoot: proc, sysRoot: sys }).inspect(config(), null, signal());
  t.equal(r3.memory_limit_bytes, null);
  t.match(find(r3, 'cgroup_unavailable')?.message, /cgroup cannot be read \(ENOENT\)/);
});

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Copies the built sources (`dist/src`, made by `npm test`'s build) and pidusage, the one package
 * the collector watcher loads, to `dest`, readable and traversable by every user.
 */
async function readableCopy(dest: string): Promise<string> {
  await cp(join(REPO, 'dist/src'), join(dest, 'dist/src'), { recursive: true });
  await cp(join(REPO, 'node_modules/pidusage'), join(dest, 'node_modules/pidusage'), { recursive: true });
  await writeFile(join(dest, 'package.json'), '{"type":"module"}\n');
  const open = async (path: string): Promise<void> => {
    const st = await stat(path);
    await chmod(path, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const entry of await readdir(path)) await open(join(path, entry));
  };
  await open(dest);
  return dest;
}

t.test('permission denied, seen by an unprivileged user: warnings saying what is not visible', async (t) => {
  const { proc, sys, put } = await fakeRoot(t);
  await fakeProcess(put, { start: 100, rssMib: 30, cgroup: '0::/\n' });
  await chmod(join(proc, String(PID), 'fd'), 0o700);
  await chmod(join(proc, String(PID), 'status'), 0o600);
  for (const d of [dirname(proc), proc, join(proc, String(PID))]) await chmod(d, 0o755);
  await put(`proc/${PID}/environ`, 'A=1\0');
  await chmod(join(proc, String(PID), 'environ'), 0o600);
  await chmod(join(proc, String(PID), 'stat'), 0o644);

  // a real root-owned process: the kernel refuses its fd table and environment to another user
  const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  t.teardown(() => {
    victim.kill('SIGKILL');
  });

  // The checkout may be unreadable to other users (cloned under /root, mode 700): the child gets a
  // world-readable copy of the built watcher and the one package it loads, next to the fake procfs.
  const app = await readableCopy(join(dirname(proc), 'app'));
  const watcherUrl = pathToFileURL(join(app, 'dist/src/collector/collector-watcher.js')).href;
  const judgeUrl = pathToFileURL(join(app, 'dist/src/diagnose/judge.js')).href;
  const script = `
    import { createCollectorWatcher } from ${JSON.stringify(watcherUrl)};
    import { judgeCollector } from ${JSON.stringify(judgeUrl)};
    const [procRoot, sysRoot, fakePid, realPid] = process.argv.slice(2);
    const cfg = (pid) => (${config.toString()})({ pid: Number(pid) });
    const out = {};
    const fake = createCollectorWatcher({ procRoot, sysRoot });
    out.fakeLocate = await fake.locate(cfg(fakePid));
    out.fake = await judgeCollector(fake, cfg(fakePid), null, AbortSignal.timeout(20000));
    const real = createCollectorWatcher();
    out.realLocate = await real.locate(cfg(realPid));
    out.real = await judgeCollector(real, cfg(realPid), null, AbortSignal.timeout(20000));
    process.stdout.write(JSON.stringify(out));
  `;
  const scriptFile = join(app, 'as-nobody.mjs');
  await writeFile(scriptFile, script);
  await chmod(scriptFile, 0o644);
  const child = spawn(process.execPath, [scriptFile, proc, sys, String(PID), String(victim.pid)], {
    uid: 65534, gid: 65534, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 0, err);
  const res = JSON.parse(out) as { fakeLocate: { pid: number; env: unknown }; fake: CollectorReport; realLocate: { pid: number; env: unknown }; real: CollectorReport };

  t.same(res.fakeLocate, { pid: PID, env: null }, 'environ refused: null, no throw');
  t.equal(res.fake.found, true);
  t.equal(res.fake.open_fds, null);
  t.equal(res.fake.rss_bytes, null);
  t.equal(res.fake.max_fds, 1024, 'what is readable is still read');
  const p = find(res.fake, 'proc_unreadable');
  t.equal(p?.severity, 'warning');
  t.match(p?.message, `/proc/${PID}/fd, /proc/${PID}/status, /proc/${PID}/environ`);
  t.match(p?.message, /EACCES/);
  t.match(p?.message, /open file descriptors; resident memory; the collector's environment/);
  t.match(p?.fix, /CAP_SYS_PTRACE/);
  t.match(p?.fix, /runAsUser/);

  t.equal(res.realLocate.pid, victim.pid);
  t.equal(res.realLocate.env, null);
  t.equal(res.real.found, true);
  t.ok((res.real.rss_bytes ?? 0) > 0, 'status is world-readable');
  const realProblem = find(res.real, 'proc_unreadable');
  t.match(realProblem?.message, `/proc/${victim.pid}/environ`, 'the kernel hides another user\'s environment');
  // Linux 6.2+ answers stat() of /proc/PID/fd with the count even to another user; older kernels refuse
  if (res.real.open_fds === null) t.match(realProblem?.message, `/proc/${victim.pid}/fd`);
  else t.notMatch(realProblem?.message, `/proc/${victim.pid}/fd`, `fd count seen (${res.real.open_fds})`);
});
