import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/run-cli.js';
import { collectorYaml } from '../helpers/collector-yaml.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';

const TOKEN = 's3cr3t-CLI-TOKEN-7731';

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Fixture {
  dir: string;
  sentinel: string;
  collector: string;
  close(): Promise<void>;
}

/** A live OTLP/HTTP receiver, a closed port and (optionally) a server that never answers. */
async function fixture(t: Test, opts: { hung?: boolean } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
  const live = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  const livePort = await listen(live);
  const closedPort = await freePort();
  const held: Socket[] = [];
  const hung = createNetServer((s) => void held.push(s));
  const hungPort = await listen(hung);
  const exporters: Record<string, unknown> = {
    'otlphttp/live': { endpoint: `http://127.0.0.1:${livePort}`, headers: { authorization: `Bearer ${TOKEN}` } },
    'otlp/closed': { endpoint: `127.0.0.1:${closedPort}`, tls: { insecure: true } },
  };
  if (opts.hung) exporters['otlphttp/hung'] = { endpoint: `http://127.0.0.1:${hungPort}` };
  const collector = join(dir, 'collector.yaml');
  writeFileSync(collector, collectorYaml(exporters));
  const sentinel = join(dir, 'sentinel.yaml');
  writeFileSync(
    sentinel,
    [
      'listen: "127.0.0.1:0"',
      'collector:',
      `  config_files: [${JSON.stringify(collector)}]`,
      '  telemetry_url: ""',
      'probe:',
      '  interval: 3s',
      `  timeout: ${opts.hung ? '2s' : '1s'}`,
      'log:',
      '  level: info',
    ].join('\n'),
  );
  const f = {
    dir,
    sentinel,
    collector,
    async close() {
      live.closeAllConnections();
      for (const s of held) s.destroy();
      await Promise.all([new Promise((r) => live.close(r)), new Promise((r) => hung.close(r))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => f.close());
  return f;
}

t.test('--help and --version', async (t) => {
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /otel-sentinel check/);
  const version = await runCli(['--version']);
  t.equal(version.code, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = await runCli(['frobnicate']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown command "frobnicate"/);
});

t.test('check --json: the diagnosis document, exit 1 when an exporter fails', async (t) => {
  const f = await fixture(t);
  const r = await runCli(['check', '--config', f.sentinel, '--json']);
  t.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout);
  t.type(d.checked_at, 'string');
  t.equal(d.healthy, false);
  t.type(d.collector.found, 'boolean');
  const byName = Object.fromEntries(d.exporters.map((e: { name: string }) => [e.name, e]));
  t.equal(byName['otlphttp/live'].up, true);
  t.equal(byName['otlphttp/live'].protocol, 'http');
  t.equal(byName['otlp/closed'].up, false);
  t.equal(byName['otlp/closed'].problems[0].cause, 'network');
  t.equal(byName['otlp/closed'].problems[0].reason, 'connection_refused');
  for (const key of ['dns_seconds', 'connect_seconds', 'tls_seconds', 'request_seconds']) t.ok(key in byName['otlp/closed'].phases);
  t.notMatch(r.stdout + r.stderr, TOKEN, 'no header value in the output');
});

t.test('check --exporter narrows the round; the human report names cause, reason and fix', async (t) => {
  const f = await fixture(t);
  const ok = await runCli(['check', '--config', f.sentinel, '--exporter', 'otlphttp/live']);
  t.match(ok.stdout, /otlphttp\/live/);
  t.notMatch(ok.stdout, /otlp\/closed/);
  const bad = await runCli(['check', '--config', f.sentinel, '--exporter', 'otlp/closed']);
  t.equal(bad.code, 1);
  t.match(bad.stdout, /DOWN\s+otlp\/closed/);
  t.match(bad.stdout, /network \/ connection_refused/);
  t.match(bad.stdout, /fix/);
  t.notMatch(bad.stdout, /\u001b\[/, 'no colour when not a terminal');
  const unknown = await runCli(['check', '--config', f.sentinel, '--exporter', 'otlp/nope']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /otlp\/nope/);
});

t.test('check exits 2 with one line naming file and key on a broken config', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sentinel.yaml');
  writeFileSync(file, 'probe:\n  interval: 15 seconds\n');
  const r = await runCli(['check', '--config', file]);
  t.equal(r.code, 2);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.match(r.stderr, file);
  t.match(r.stderr, 'probe.interval');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const viaEnv = await runCli(['check'], { OTEL_SENTINEL_CONFIG: file });
  t.equal(viaEnv.code, 2, 'OTEL_SENTINEL_CONFIG names the file');
  t.match(viaEnv.stderr, 'probe.interval');
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('serve: /readyz 503 then 200, /livez, /metrics accepted by promtool, clean SIGTERM', async (t) => {
  const f = await fixture(t, { hung: true });
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--config', f.sentinel], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const base = await waitFor('the listening address', async () => {
    const m = /"address":"([^"]+)"/.exec(out);
    return m ? `http://${m[1]}` : undefined;
  });
  // The hung exporter holds the first round open until its 2 s timeout.
  const early = await fetch(`${base}/readyz`);
  t.equal(early.status, 503, 'not ready before the first round finished');
  t.equal((await fetch(`${base}/livez`)).status, 200);
  await waitFor('ready', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
  const text = await (await fetch(`${base}/metrics`)).text();
  t.match(text, /otel_sentinel_exporter_up\{exporter="otlphttp\/live"\} 1/);
  t.match(text, /otel_sentinel_exporter_up\{exporter="otlp\/closed"\} 0/);
  t.match(text, /otel_sentinel_exporter_cause\{exporter="otlp\/closed",cause="network"\} 1/);
  t.match(text, /otel_sentinel_exporter_cause\{exporter="otlphttp\/live",cause="network"\} 0/);
  t.match(text, /otel_sentinel_build_info\{version="/);
  t.match(text, /otel_sentinel_config_last_reload_successful 1/);
  t.notMatch(text, TOKEN);
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(promtool.status, 0, `promtool check metrics: ${promtool.stdout}${promtool.stderr}`);
  const diag = (await (await fetch(`${base}/api/v1/diagnosis`)).json()) as Diagnosis;
  t.equal(diag.exporters.length, 3);
  t.notMatch(out, TOKEN, 'no header value in the logs');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'exit 0 after SIGTERM');
  t.match(out, /otel-sentinel stopped/);
});

t.test('serve exits 2 on an unusable config at start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sentinel.yaml');
  writeFileSync(file, 'listen: "127.0.0.1:0"\nbogus_key: 1\n');
  const r = await runCli(['serve', '--config', file]);
  t.equal(r.code, 2);
  t.match(r.stderr, 'bogus_key');
  const c = await runCli(['check', '--config', file]);
  t.equal(c.code, 2, 'check: the same exit code');
  t.equal(c.stderr, r.stderr, 'and the very same line, from the one place that turns a ConfigError into exit 2');
  t.match(r.stderr, /^otel-sentinel: configuration unusable: /);
});
