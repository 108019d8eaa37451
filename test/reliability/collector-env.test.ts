import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, startInProcess, waitFor } from '../helpers/reliability-harness.js';

/** A stand-in collector process carrying `env`, its pid written where the daemon looks. */
async function standIn(t: Test, pidFile: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...env } });
  t.teardown(() => void child.kill('SIGKILL'));
  await once(child, 'spawn');
  writeFileSync(pidFile, `${child.pid}\n`);
  return child;
}

t.test("a restarted collector's new environment is picked up: ${env:X} resolves again", async (t) => {
  // the backend wants the token the second collector process carries
  const backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(req.headers['x-token'] === 'second-token' ? 200 : 401).end());
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    backend.closeAllConnections();
    backend.close();
  });
  const port = (backend.address() as AddressInfo).port;

  const cfg = configDir(t);
  const pidFile = join(cfg.dir, 'collector.pid');
  const first = await standIn(t, pidFile, { SENTINEL_TEST_TOKEN: 'first-token' });
  cfg.writeCollector({ 'otlphttp/b': { endpoint: `http://127.0.0.1:${port}`, headers: { 'x-token': '${env:SENTINEL_TEST_TOKEN}' } } });
  cfg.writeSentinel([
    'collector:',
    `  config_files: [${JSON.stringify(cfg.collector)}]`,
    '  telemetry_url: ""',
    `  process: { pid_file: ${JSON.stringify(pidFile)} }`,
    '  use_process_environment: true',
  ]);
  // our own environment lacks the variable: only the collector's can supply it
  const env = { ...process.env };
  delete env.SENTINEL_TEST_TOKEN;
  const d = await startInProcess(t, cfg.sentinel, env);

  const down = await waitFor('the first probe', async () => {
    const e = await d.exporter('otlphttp/b');
    return e?.checked_at ? e : undefined;
  });
  t.equal(down.problems[0]?.reason, 'unauthorized', 'the first collector carries the wrong token');

  first.kill('SIGKILL');
  await standIn(t, pidFile, { SENTINEL_TEST_TOKEN: 'second-token' });
  await waitFor('the exporter to come up with the new environment', async () => ((await d.exporter('otlphttp/b'))?.up ? true : undefined));
  t.ok(d.logs.some((r) => r.msg === 'configuration reloaded' && r.trigger === 'collector restarted'), 'reloaded because the collector restarted');
  t.notMatch(d.rawLog(), /second-token|first-token/, 'the token never reaches the log');
});
