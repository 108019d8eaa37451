import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createJudgedWatcher } from '../helpers/judged.js';
import { collectorConfigPaths, findCollector } from '../../src/collector/find-collector.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';

const SLEEPER = 'setInterval(() => {}, 1000); process.stdout.write("ready\\n");';

function config(proc: Partial<SentinelConfig['collector']['process']>, useEnv = true, configFiles: readonly string[] = []): SentinelConfig {
  return {
    source: null,
    listen: { host: '127.0.0.1', port: 0 },
    collector: { configFiles, process: { pid: 0, pidFile: '', name: '', ...proc }, telemetryUrl: '', useProcessEnvironment: useEnv },
    probe: { intervalMs: 15000, timeoutMs: 5000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: { fdRatio: 0.8, memoryRatio: 0.85, certExpiryMs: 0, slowResponseMs: 2000, queueRatio: 0.7 },
    log: { level: 'info' },
    web: { tlsCertFile: '', tlsKeyFile: '', basicAuthUsers: {}, unauthenticatedPaths: [], enableLifecycle: false, maxConnections: 64 },
  };
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);

/** Starts a sleeping node process and waits until it runs; killed when the test ends. */
async function sleeper(t: Test, exe: string, opts: { argv0?: string; env?: Record<string, string>; args?: readonly string[]; cwd?: string } = {}): Promise<ChildProcess> {
  const child = spawn(exe, ['-e', SLEEPER, ...(opts.args ? ['--', ...opts.args] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
    ...(opts.argv0 ? { argv0: opts.argv0 } : {}),
  });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  if (!chunk.toString().includes('ready')) throw new Error('child did not start');
  return child;
}

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  await once(c, 'exit');
  return c.pid!;
}

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-find-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A config file the sleeper names with --config: among other processes with a default collector
 * name on the machine (a collector running beside the tests), the one started with it is ours.
 */
async function ownConfig(dir: string): Promise<string> {
  const file = join(dir, 'config.yaml');
  await writeFile(file, 'receivers: {}\n');
  return file;
}

t.test('finds the collector by its comm (binary named otelcol-contrib) and reads its environment', async (t) => {
  const dir = await tempDir(t);
  const exe = join(dir, 'otelcol-contrib');
  await symlink(process.execPath, exe);
  const file = await ownConfig(dir);
  const child = await sleeper(t, exe, { env: { SENTINEL_TEST_MARK: 'seen-in-environ' }, args: ['--config', file] });
  const w = createJudgedWatcher();
  const got = await w.locate(config({}, true, [file]));
  t.equal(got?.pid, child.pid, 'the child, not PID 1, not ourselves');
  t.equal(got?.env?.['SENTINEL_TEST_MARK'], 'seen-in-environ');
  const report = await w.inspect(config({}, true, [file]), null, signal());
  t.equal(report.found, true);
  t.equal(report.pid, child.pid);
  t.ok((report.open_fds ?? 0) > 0, 'open fds read');
  t.ok((report.max_fds ?? 0) > 0, 'limit read');
  t.ok((report.rss_bytes ?? 0) > 1024 * 1024, 'rss read');
  t.ok((report.memory_limit_bytes ?? 0) > 0, 'a limit is always known: at least host memory');
  t.same(report.problems.filter((p) => p.reason !== 'cgroup_unavailable'), []);
});

t.test('finds the collector by argv[0] when comm differs, and by a configured name', async (t) => {
  const file = await ownConfig(await tempDir(t));
  const child = await sleeper(t, process.execPath, { argv0: 'otelcorecol', args: [`--config=${file}`] });
  const byDefault = await createJudgedWatcher().locate(config({}, false, [file]));
  t.equal(byDefault?.pid, child.pid);
  t.equal(byDefault?.env, null, 'environment not read when use_process_environment is off');
  const dir = await tempDir(t);
  const exe = join(dir, 'my-collector-build');
  await symlink(process.execPath, exe);
  const custom = await sleeper(t, exe);
  t.equal((await createJudgedWatcher().locate(config({ name: 'my-collector-build' })))?.pid, custom.pid);
});

t.test('never takes its own process for the collector', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, '777'));
  await writeFile(join(dir, '777', 'comm'), 'otelcol\n');
  await writeFile(join(dir, '777', 'stat'), '777 (otelcol) S 1 777 777 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5555 1000 100 0\n');
  t.equal((await findCollector({ pid: 0, pidFile: '', name: '' }, { procRoot: dir, selfPid: 4242 })).found, true, 'found when it is not us');
  const self = await findCollector({ pid: 0, pidFile: '', name: '' }, { procRoot: dir, selfPid: 777 });
  t.equal(self.found, false);
  const byPid = await findCollector({ pid: 777, pidFile: '', name: '' }, { procRoot: dir, selfPid: 777 });
  t.match(byPid.found ? '' : String(byPid.facts['detail']), /otel-sentinel itself/);
});

t.test('a pid file pointing at a dead process is reported as exactly that', async (t) => {
  const dir = await tempDir(t);
  const pidFile = join(dir, 'otelcol.pid');
  const pid = await deadPid();
  await writeFile(pidFile, `${pid}\n`);
  const w = createJudgedWatcher();
  t.equal(await w.locate(config({ pidFile })), null);
  const report = await w.inspect(config({ pidFile }), null, signal());
  t.equal(report.found, false);
  t.equal(report.pid, null);
  const p = report.problems.find((x) => x.reason === 'collector_not_found');
  t.ok(p);
  t.equal(p?.severity, 'critical');
  t.match(p?.message, pidFile);
  t.match(p?.message, `holds ${pid}, but no process with pid ${pid} is running`);
  t.match(p?.message, /stale pid file/);
  t.match(p?.fix, /PIDFile=/);
});

t.test('unreadable, garbage and missing pid files, and a dead configured pid', async (t) => {
  const dir = await tempDir(t);
  const w = createJudgedWatcher();
  const missing = await w.inspect(config({ pidFile: join(dir, 'none.pid') }), null, signal());
  t.match(missing.problems[0]?.message, /cannot be read \(ENOENT\)/);
  await writeFile(join(dir, 'junk.pid'), 'not-a-pid');
  const junk = await w.inspect(config({ pidFile: join(dir, 'junk.pid') }), null, signal());
  t.match(junk.problems[0]?.message, /does not hold a pid \(it holds "not-a-pid"\)/);
  const pid = await deadPid();
  const dead = await w.inspect(config({ pid }), null, signal());
  t.match(dead.problems[0]?.message, `configured as pid ${pid} (collector.process.pid), but no process with pid ${pid} is running`);
  const none = await createJudgedWatcher({ procRoot: dir }).inspect(config({ name: 'otelcol-nothing-like-it' }), null, signal());
  t.match(none.problems[0]?.message, /no process named otelcol-nothing-like-it among the 0 other processes/);
  t.match(none.problems[0]?.fix, /shareProcessNamespace: true/);
});

t.test('a new process behind the pid file counts as a restart, also after a gap', async (t) => {
  const dir = await tempDir(t);
  const pidFile = join(dir, 'otelcol.pid');
  let clock = 1_000_000;
  const w = createJudgedWatcher({ now: () => clock });
  const cfg = config({ pidFile });
  const a = await sleeper(t, process.execPath);
  await writeFile(pidFile, String(a.pid));
  const first = await w.inspect(cfg, null, signal());
  t.equal(first.pid, a.pid);
  t.equal(first.restarts, 0);
  a.kill('SIGKILL');
  await once(a, 'exit');
  const gone = await w.inspect(cfg, null, signal());
  t.equal(gone.found, false);
  t.equal(gone.restarts, 0, 'gone is not yet a restart');
  const b = await sleeper(t, process.execPath);
  await writeFile(pidFile, String(b.pid));
  clock += 15_000;
  const back = await w.inspect(cfg, null, signal());
  t.equal(back.pid, b.pid);
  t.equal(back.restarts, 1);
  const p = back.problems.find((x) => x.reason === 'collector_restarted');
  t.equal(p?.severity, 'warning');
  t.match(p?.message, `pid ${a.pid} is gone, pid ${b.pid} runs now`);
  const again = await w.inspect(cfg, null, signal());
  t.equal(again.restarts, 1, 'counted once');
  clock += 11 * 60_000;
  const later = await w.inspect(cfg, null, signal());
  t.equal(later.restarts, 1);
  t.notOk(later.problems.some((x) => x.reason === 'collector_restarted'), 'no longer reported after the hold time');
});

t.test("the --config files of a collector's command line, as the collector takes them", async (t) => {
  const argv = (...a: string[]): string[] => ['/usr/bin/otelcol-contrib', ...a];
  t.same(collectorConfigPaths(argv('--config', '/etc/otelcol/config.yaml')), ['/etc/otelcol/config.yaml']);
  t.same(collectorConfigPaths(argv('--config=/etc/otelcol/a.yaml', '--config', 'file:b.yaml', '--config=file:/c.yaml')), ['/etc/otelcol/a.yaml', 'b.yaml', '/c.yaml']);
  t.same(collectorConfigPaths(argv('--config', 'env:OTEL_CONFIG', '--config=yaml:exporters::debug::verbosity: detailed', '--config', 'https://example.invalid/c.yaml')), [], 'other providers name no file');
  t.same(collectorConfigPaths(argv('--feature-gates=x', '--config')), [], 'a --config without its value');
  t.same(collectorConfigPaths(['--config', '/not-argv0.yaml']), [], 'argv[0] is the program');
});

/** A fake /proc entry for a process named otelcol started at `start` ticks, with this argv. */
async function fakeCollector(root: string, pid: number, start: number, argv: readonly string[]): Promise<void> {
  await mkdir(join(root, String(pid)));
  await writeFile(join(root, String(pid), 'comm'), 'otelcol\n');
  await writeFile(join(root, String(pid), 'stat'), `${pid} (otelcol) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${start} 1000 100 0\n`);
  await writeFile(join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
}

t.test('of several processes with the name, the one started with the config otel-sentinel reads; else the oldest', async (t) => {
  const root = await tempDir(t);
  await fakeCollector(root, 300, 1000, ['/usr/bin/otelcol', '--config', '/etc/otelcol/gateway.yaml']);
  await fakeCollector(root, 200, 2000, ['/usr/bin/otelcol', '--config=file:/etc/otelcol/agent.yaml']);
  await fakeCollector(root, 100, 3000, ['/usr/bin/otelcol', '--config', 'env:CONFIG']);
  const find = async (configFiles?: readonly string[]): Promise<number | null> => {
    const r = await findCollector({ pid: 0, pidFile: '', name: '' }, { procRoot: root, selfPid: 1, ...(configFiles ? { configFiles } : {}) });
    return r.found ? r.identity.pid : null;
  };
  t.equal(await find(['/etc/otelcol/agent.yaml']), 200, 'the agent, though younger');
  t.equal(await find(['/etc/otelcol/base.yaml', '/etc/otelcol/gateway.yaml']), 300, 'any of the merged files');
  t.equal(await find(['/etc/otelcol/other.yaml']), 300, 'none started with it: the oldest');
  t.equal(await find(), 300, 'no config files given: the oldest');
});

t.test('two real collectors by one name: the one whose --config is our file, by a relative path or another path to it', async (t) => {
  const dir = await tempDir(t);
  const exe = join(dir, 'config-pick-col');
  await symlink(process.execPath, exe);
  await writeFile(join(dir, 'agent.yaml'), 'receivers: {}\n');
  await writeFile(join(dir, 'gateway.yaml'), 'receivers: {}\n');
  await symlink(dir, join(dir, 'mounted'));
  const older = await sleeper(t, exe, { args: ['--config', join(dir, 'gateway.yaml')] });
  // relative to its working directory, as a collector started from its config's folder
  const agent = await sleeper(t, exe, { args: ['--config=file:agent.yaml'], cwd: dir });
  const cfg = (files: readonly string[]): SentinelConfig => config({ name: 'config-pick-col' }, false, files);
  t.equal((await createJudgedWatcher().locate(cfg([join(dir, 'agent.yaml')])))?.pid, agent.pid, 'the relative path, from its working directory');
  t.equal((await createJudgedWatcher().locate(cfg([join(dir, 'mounted', 'agent.yaml')])))?.pid, agent.pid, 'the same file by another path');
  t.equal((await createJudgedWatcher().locate(cfg([join(dir, 'gateway.yaml')])))?.pid, older.pid);
  t.equal((await createJudgedWatcher().locate(cfg([join(dir, 'none.yaml')])))?.pid, older.pid, 'neither: the oldest');
  // a reload to another config file looks again
  const w = createJudgedWatcher();
  t.equal((await w.locate(cfg([join(dir, 'gateway.yaml')])))?.pid, older.pid);
  t.equal((await w.locate(cfg([join(dir, 'agent.yaml')])))?.pid, agent.pid, 'after a reload naming the other file');
});
