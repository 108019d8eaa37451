/**
 * The shipped program is the bundle (dist/bundle: what the image, `npm start`, the demo and the
 * bench run); every other test runs the unbundled dist/src. This file runs the bundle as the
 * image's runtime stage holds it (package.json, dist/bundle and config/ in a directory with no
 * node_modules reachable from it, started with `node --liftoff-only dist/bundle/otel-sentinel.js`)
 * and shows it is the same program: `check --json` gives the very diagnosis the unbundled CLI gives
 * against the same real backends, `serve` serves, reloads on SIGHUP and exits 0 on SIGTERM, a real
 * collector is probed up, and every bundled runtime dependency has its licence in
 * THIRD-PARTY-LICENSES.txt.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { testCerts } from './helpers/certs.js';
import { closedPort, startConnectProxy, startGrpcServer, startHttpServer } from './helpers/servers.js';
import { spawnTethered } from './helpers/e2e/tethered-child.js';
import { waitFor } from './helpers/e2e/wait-for.js';
import { whenReady } from './helpers/e2e/sentinel.js';
import { startCollector } from './helpers/collector/collector-process.js';
import { collectorConfig } from './helpers/collector/collector-config.js';
import { freePort } from './helpers/collector/free-port.js';
import { runNode, type CliRun } from './helpers/run-cli.js';
import { collectorYaml, configDir } from './helpers/reliability-harness.js';

const ROOT = resolve('.');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
/** the image's entry point, relative to its working directory (Dockerfile ENTRYPOINT) */
const ENTRY = 'dist/bundle/otel-sentinel.js';
const UNBUNDLED = join(ROOT, 'dist', 'src', 'bin.js');

/** `--liftoff-only` as the image passes it, when this node takes it (Node 20 and 24 both do). */
const liftoff = spawnSync(process.execPath, ['--liftoff-only', '-e', '0'], { encoding: 'utf8', timeout: 30_000 });
const LIFTOFF_OK = liftoff.status === 0 && liftoff.stderr === '';
const NODE_FLAGS = LIFTOFF_OK ? ['--liftoff-only'] : [];

/**
 * The image's runtime stage: package.json, dist/bundle and config/ copied into a fresh directory
 * under the system's temp dir, nothing else. Removed when this process exits.
 */
const app = mkdtempSync(join(tmpdir(), 'otel-sentinel-image-'));
process.once('exit', () => rmSync(app, { recursive: true, force: true }));
cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
cpSync(join(ROOT, 'dist', 'bundle'), join(app, 'dist', 'bundle'), { recursive: true });
cpSync(join(ROOT, 'config'), join(app, 'config'), { recursive: true });

/**
 * The image's environment (Dockerfile ENV), built from nothing: none of this process's NODE_OPTIONS
 * (tap's loaders), NODE_PATH or proxies. HOME is the app dir, so Node's global folders
 * ($HOME/.node_modules, $HOME/.node_libraries) are under it and checked below.
 */
const ENV: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'],
  HOME: app,
  NODE_ENV: 'production',
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

type Run = CliRun;

/** `node [--liftoff-only] <script> ...args` in the app dir with the image's environment; killed after 60 s. */
function runBundled(script: string, args: readonly string[]): Promise<Run> {
  return runNode([...NODE_FLAGS, script, ...args], { cwd: app, env: ENV });
}

/** A temp dir for one test's config files, removed in its teardown. */
/** otel-sentinel's config for `check`: this collector config, no process, no collector metrics. */
const checkYaml = (collectorFile: string): string =>
  [
    'collector:',
    `  config_files: [${JSON.stringify(collectorFile)}]`,
    '  telemetry_url: ""',
    '  use_process_environment: false',
    'probe:',
    '  timeout: 5s',
    // a loaded machine must not turn a healthy probe into a slow_response warning in one run only
    'thresholds:',
    '  slow_response: 0',
    '',
  ].join('\n');

// ------------------------------------------------------------------------------------------------
// What the normaliser may remove: the time of a probe or of the document, and phase durations.

const TIME_KEY = /(^|_)at$|_seconds$/;

/**
 * The diagnosis with every time-like value replaced by a marker: `*_at` timestamps and `*_seconds`
 * durations. A null stays null (whether a phase ran or a success happened is compared), and every
 * other field is left as it is.
 */
function normalise(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x, k)]));
  }
  if (TIME_KEY.test(key) && v !== null) {
    if (key.endsWith('_at') && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return '<time>';
    if (key.endsWith('_seconds') && typeof v === 'number') return '<seconds>';
  }
  return v;
}

/** The paths (a.b[2].c) at which two JSON values differ. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k),
    );
  }
  return Object.is(a, b) ? [] : [path];
}

interface ExporterDoc {
  readonly name: string;
  readonly type: string;
  readonly protocol: string;
  readonly state: string;
  readonly up: boolean;
  readonly signal: string | null;
  readonly note: string | null;
  readonly problems: readonly { readonly cause: string; readonly reason: string; readonly severity: string }[];
  readonly proxy: { readonly url: string; readonly source: string; readonly mode: string } | null;
  readonly tls: { readonly version: string } | null;
  readonly phases: Record<string, number | null>;
}

interface DiagnosisDoc {
  readonly healthy: boolean;
  readonly state: string;
  readonly collector: { readonly found: boolean; readonly pid: number | null; readonly problems: readonly unknown[] };
  readonly exporters: readonly ExporterDoc[];
}

// ------------------------------------------------------------------------------------------------

t.test('the runtime layout: the bundle alone, no node_modules reachable, started as the image starts it', async (t) => {
  t.ok(LIFTOFF_OK, `this node (${process.version}) takes --liftoff-only, which the image and npm start pass`);
  if (!LIFTOFF_OK) t.comment(liftoff.stderr);
  t.ok(existsSync(join(app, ENTRY)), 'the entry point is there');
  t.notOk(existsSync(join(app, 'dist', 'src')), 'no unbundled module is there');
  // every folder a package could be found in from the app dir: node_modules in it and above it,
  // NODE_PATH (unset) and Node's global folders as the child itself sees them
  const searched: string[] = [];
  for (let dir = app; ; dir = dirname(dir)) {
    searched.push(join(dir, 'node_modules'));
    if (dir === parse(dir).root) break;
  }
  const globals = spawnSync(process.execPath, ['-p', "JSON.stringify(require('node:module').globalPaths)"], { cwd: app, env: ENV, encoding: 'utf8', timeout: 30_000 });
  t.equal(globals.status, 0, globals.stderr);
  const globalPaths = JSON.parse(globals.stdout) as string[];
  t.ok(globalPaths.length > 0, 'Node names its global folders');
  searched.push(...globalPaths);
  t.same(searched.filter((p) => existsSync(p)), [], 'no node_modules (or global package folder) is reachable from the app dir');

  const version = await runBundled(ENTRY, ['--version']);
  t.equal(version.code, 0, version.stderr);
  t.match(version.stdout, PKG.version, 'the version comes from the package.json beside the bundle');
});

t.test('check --json: the bundle and dist/src give the same diagnosis against real backends', async (t) => {
  const certs = testCerts();
  const tls = { cert: certs.server.cert, key: certs.server.key };
  const grpcPlain = await startGrpcServer();
  const grpcTls = await startGrpcServer({ tls, requiredToken: 'grpc-secret-7f3a' });
  const httpPlain = await startHttpServer({ path: '/v1/metrics' });
  const httpTls = await startHttpServer({ tls, requiredToken: 'http-secret-9c1e' });
  const tunnelled = await startHttpServer({ tls, path: '/v1/logs' });
  const zipkin = await startHttpServer({ tls, path: '/api/v2/spans' });
  const proxy = await startConnectProxy();
  const refused = await closedPort();
  t.teardown(() => Promise.all([grpcPlain, grpcTls, httpPlain, httpTls, tunnelled, zipkin, proxy].map((s) => s.close())));

  const ca = certs.ca.certFile;
  const { collector: collectorFile, sentinel: sentinelFile } = configDir(t, 'otel-sentinel-bundle-');
  writeFileSync(
    collectorFile,
    JSON.stringify({
      receivers: { otlp: { protocols: { grpc: {}, http: {} } } },
      connectors: { forward: {} },
      exporters: {
        'otlp/plain': { endpoint: `127.0.0.1:${grpcPlain.port}`, tls: { insecure: true } },
        'otlp/tls': { endpoint: `127.0.0.1:${grpcTls.port}`, tls: { ca_file: ca }, headers: { authorization: 'Bearer grpc-secret-7f3a' } },
        'otlphttp/plain': { endpoint: `http://127.0.0.1:${httpPlain.port}` },
        'otlphttp/tls': { endpoint: `https://127.0.0.1:${httpTls.port}`, tls: { ca_file: ca }, headers: { authorization: 'Bearer http-secret-9c1e' } },
        // only the proxy resolves backend.test (to loopback): a CONNECT tunnel, TLS inside it
        'otlphttp/tunnelled': { endpoint: `https://backend.test:${tunnelled.port}`, proxy_url: proxy.url, tls: { ca_file: ca } },
        'otlphttp/refused': { endpoint: `http://127.0.0.1:${refused}` },
        'otlp/nowhere': { endpoint: 'collector.nowhere.invalid:4317' },
        zipkin: { endpoint: `https://127.0.0.1:${zipkin.port}/api/v2/spans`, tls: { ca_file: ca } },
        debug: {},
      },
      service: {
        pipelines: {
          traces: { receivers: ['otlp'], exporters: ['otlp/plain', 'otlp/tls', 'forward', 'debug'] },
          'traces/out': { receivers: ['forward'], exporters: ['otlphttp/tls', 'zipkin'] },
          metrics: { receivers: ['otlp'], exporters: ['otlphttp/plain', 'otlphttp/refused'] },
          logs: { receivers: ['otlp'], exporters: ['otlp/nowhere', 'otlphttp/tunnelled'] },
        },
      },
    }),
  );
  writeFileSync(sentinelFile, checkYaml(collectorFile));
  const args = ['check', '--config', sentinelFile, '--json', '--no-collector'];

  const bundled = await runBundled(ENTRY, args);
  const unbundled = await runBundled(UNBUNDLED, args);
  t.equal(bundled.code, 1, 'the bundle: exit 1, two exporters are down');
  t.equal(unbundled.code, bundled.code, 'dist/src: the same exit code');
  t.equal(bundled.stderr, unbundled.stderr, 'the same stderr');
  t.notMatch(bundled.stdout + bundled.stderr, /secret-(7f3a|9c1e)/, 'no header value in the output');

  const b = JSON.parse(bundled.stdout) as DiagnosisDoc;
  const u = JSON.parse(unbundled.stdout) as DiagnosisDoc;

  // the diagnosis is the expected one, so that the comparison below compares something
  const byName = new Map(b.exporters.map((e) => [e.name, e]));
  t.same(
    b.exporters.map((e) => e.name).sort(),
    ['debug', 'otlp/nowhere', 'otlp/plain', 'otlp/tls', 'otlphttp/plain', 'otlphttp/refused', 'otlphttp/tls', 'otlphttp/tunnelled', 'zipkin'],
    'every exporter of a pipeline, not the connector',
  );
  const summary = (name: string) => {
    const e = byName.get(name);
    return e && { protocol: e.protocol, state: e.state, up: e.up, signal: e.signal, reasons: e.problems.map((p) => `${p.cause}/${p.reason}`) };
  };
  t.same(summary('otlp/plain'), { protocol: 'grpc', state: 'up', up: true, signal: 'traces', reasons: [] });
  t.same(summary('otlp/tls'), { protocol: 'grpc', state: 'up', up: true, signal: 'traces', reasons: [] });
  t.same(summary('otlphttp/plain'), { protocol: 'http', state: 'up', up: true, signal: 'metrics', reasons: [] });
  t.same(summary('otlphttp/tls'), { protocol: 'http', state: 'up', up: true, signal: 'traces', reasons: [] }, 'traces through the connector');
  t.same(summary('otlphttp/tunnelled'), { protocol: 'http', state: 'up', up: true, signal: 'logs', reasons: [] });
  t.same(summary('zipkin'), { protocol: 'tcp', state: 'up', up: true, signal: null, reasons: [] });
  t.same(summary('debug'), { protocol: 'none', state: 'up', up: true, signal: null, reasons: [] });
  t.same(summary('otlphttp/refused'), { protocol: 'http', state: 'down', up: false, signal: 'metrics', reasons: ['network/connection_refused'] });
  t.same(summary('otlp/nowhere'), { protocol: 'grpc', state: 'down', up: false, signal: 'logs', reasons: ['endpoint/dns_not_found'] });
  t.same(byName.get('otlphttp/tunnelled')?.proxy, { url: proxy.url, source: 'proxy_url', mode: 'tunnel' });
  t.match(byName.get('otlp/tls')?.tls, { version: /^TLSv1\.[23]$/ });
  t.match(byName.get('zipkin')?.note, /^transport only: Zipkin/);
  t.match(byName.get('debug')?.note, /not probed/);
  t.same([b.healthy, b.state, b.collector.found], [false, 'down', false]);

  // both programs really reached the backends: one export each
  t.equal(grpcPlain.calls.length, 2, 'the gRPC backend got one export from each');
  t.equal(grpcTls.calls.length, 2, 'the gRPC TLS backend got one export from each');
  t.same(grpcTls.calls.map((c) => c.metadata['authorization']), ['Bearer grpc-secret-7f3a', 'Bearer grpc-secret-7f3a']);
  t.same(httpTls.requests.map((r) => [r.method, r.url, r.headers.authorization]), [
    ['POST', '/v1/traces', 'Bearer http-secret-9c1e'],
    ['POST', '/v1/traces', 'Bearer http-secret-9c1e'],
  ]);
  t.same(httpPlain.requests.map((r) => r.url), ['/v1/metrics', '/v1/metrics']);
  t.same(proxy.seen, [`backend.test:${tunnelled.port}`, `backend.test:${tunnelled.port}`], 'one CONNECT from each');
  t.equal(tunnelled.requests.length, 2);
  t.equal(zipkin.requests.length, 0, 'zipkin: TCP and TLS only, no request');

  // the normaliser takes out time-like values and nothing else
  const nb = normalise(b);
  const nu = normalise(u);
  const touched = differences(b, nb);
  t.ok(touched.some((p) => p.endsWith('checked_at')), 'checked_at is normalised');
  t.ok(touched.some((p) => /phases\.total_seconds$/.test(p)), 'phase durations are normalised');
  t.same(touched.filter((p) => !/(^|\.|_)at$|_seconds$/.test(p)), [], 'only time-like fields are normalised');
  t.same(differences(nb, nu), [], 'the two diagnoses are the same once times are taken out');
  t.same(nb, nu);
});

t.test('serve from the bundle: ready, metrics with its version, diagnosis, SIGHUP reload, SIGTERM exits 0', async (t) => {
  const a = await startHttpServer();
  const g = await startGrpcServer();
  t.teardown(() => Promise.all([a.close(), g.close()]));
  const cfg = configDir(t, 'otel-sentinel-bundle-');
  const sentinelFile = cfg.sentinel;
  const first = { 'otlphttp/a': { endpoint: `http://127.0.0.1:${a.port}` } };
  cfg.writeCollector(first);
  cfg.writeSentinel(
    [
      'collector:',
      `  config_files: [${JSON.stringify(cfg.collector)}]`,
      // a real process to inspect: this one
      `  process: { pid: ${process.pid} }`,
      '  telemetry_url: ""',
      '  use_process_environment: false',
      'thresholds:',
      '  slow_response: 0',
    ],
    { interval: '2s', timeout: '2s', level: 'info' },
  );

  // its log (stdout) goes to the tether's stderr pipe; the tether ends it if this process dies
  const child = await spawnTethered('sh', ['-c', 'cd "$0" && exec "$@" >&2', app, process.execPath, ...NODE_FLAGS, ENTRY, 'serve', '--config', sentinelFile], {
    stderr: 'pipe',
    env: ENV,
  });
  let log = '';
  child.wrapper.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-200_000)));
  t.teardown(() => child.stop(5_000));

  // null: it exited before it listened (no use waiting)
  const address = await waitFor('the daemon to log its address', () => /"address":"([^"]+)"/.exec(log)?.[1] ?? (child.exited() ? null : undefined), {
    timeoutMs: 30_000,
    lastSeen: () => log,
  });
  if (address === null) throw new Error(`the bundle exited before it listened:\n${log}`);
  const url = `http://${address}`;
  await whenReady({ stop: () => child.stop(5_000) }, url, () => log);

  const metrics = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  t.match(metrics, /^# TYPE otel_sentinel_exporter_up gauge$/m);
  t.ok(metrics.match(/^# TYPE otel_sentinel_\w+ /gm)!.length > 10, 'the otel_sentinel_ families');
  t.match(metrics, new RegExp(`^otel_sentinel_build_info\\{version="${PKG.version.replace(/\./g, '\\.')}"\\} 1$`, 'm'), 'the version from package.json');

  const diagnosis = async (): Promise<DiagnosisDoc> => {
    const res = await fetch(`${url}/api/v1/diagnosis`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`/api/v1/diagnosis answered ${res.status}`);
    return (await res.json()) as DiagnosisDoc;
  };
  // up from the first round, or (a loaded machine) from a later one
  const before = await waitFor('otlphttp/a to be probed up', async () => {
    const d = await diagnosis();
    return d.exporters[0]?.up ? d : undefined;
  }, { timeoutMs: 30_000, lastSeen: () => log });
  t.same(before.exporters.map((e) => [e.name, e.up]), [['otlphttp/a', true]]);
  t.same([before.collector.found, before.collector.pid], [true, process.pid], 'the process inspected');
  const page = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
  t.equal(page.status, 200, 'the status page');
  t.match(await page.text(), 'otlphttp/a');

  // an exporter added, then SIGHUP: the new one (gRPC, whose client part the bundle loads only now) is probed up
  cfg.writeCollector({ ...first, 'otlp/b': { endpoint: `127.0.0.1:${g.port}`, tls: { insecure: true } } });
  process.kill(child.pid, 'SIGHUP');
  const added = await waitFor(
    'otlp/b to be probed up after SIGHUP',
    async () => {
      const e = (await diagnosis()).exporters.find((x) => x.name === 'otlp/b');
      return e?.up ? e : undefined;
    },
    { timeoutMs: 30_000, lastSeen: () => log },
  );
  t.equal(added.protocol, 'grpc');
  t.ok(g.calls.length > 0, 'the gRPC backend was reached');
  t.match(log, /"trigger":"SIGHUP"[^\n]*"configuration reloaded"|configuration reloaded[^\n]*"trigger":"SIGHUP"/, 'the SIGHUP reload is logged');
  t.match(log, /"added":\["otlp\/b"\]/, 'the reload added otlp/b');
  const after = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  t.match(after, /^otel_sentinel_config_last_reload_successful 1$/m);

  process.kill(child.pid, 'SIGTERM');
  const code = await Promise.race([child.exit, new Promise<'late'>((r) => setTimeout(() => r('late'), 20_000).unref())]);
  t.equal(code, 0, 'exit 0 after SIGTERM');
  if (code !== 0) t.comment(log.slice(-4_000));
  t.match(log, /otel-sentinel stopped/);
});

t.test('check from the bundle: a real OpenTelemetry Collector as the backend is up over gRPC and HTTP', async (t) => {
  const httpPort = await freePort();
  const collector = await startCollector({
    exporters: { debug: {} },
    config: (ports) => {
      const c = collectorConfig({ exporters: { debug: {} }, ...ports });
      return {
        ...c,
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.receiverPort}` }, http: { endpoint: `127.0.0.1:${httpPort}` } } } },
      };
    },
  });
  t.teardown(() => collector.stop());
  await waitFor(
    "the collector's OTLP/HTTP receiver",
    () =>
      new Promise<true>((res, rej) => {
        const s = connect({ host: '127.0.0.1', port: httpPort }, () => {
          s.destroy();
          res(true);
        });
        s.once('error', rej);
      }),
    { timeoutMs: 30_000, lastSeen: () => collector.log() },
  );
  const { collector: collectorFile, sentinel: sentinelFile } = configDir(t, 'otel-sentinel-bundle-');
  writeFileSync(
    collectorFile,
    collectorYaml({
      'otlp/collector': { endpoint: `127.0.0.1:${collector.receiverPort}`, tls: { insecure: true } },
      'otlphttp/collector': { endpoint: `http://127.0.0.1:${httpPort}` },
    }),
  );
  writeFileSync(sentinelFile, checkYaml(collectorFile));
  const r = await runBundled(ENTRY, ['check', '--config', sentinelFile, '--json', '--no-collector']);
  t.equal(r.code, 0, 'check exits 0: all healthy');
  if (r.code !== 0) t.comment(`${r.stdout}\n${r.stderr}\n${collector.log()}`);
  const d = JSON.parse(r.stdout) as DiagnosisDoc;
  t.same(
    d.exporters.map((e) => [e.name, e.protocol, e.state, e.up, e.problems.length]),
    [
      ['otlp/collector', 'grpc', 'up', true, 0],
      ['otlphttp/collector', 'http', 'up', true, 0],
    ],
  );
  t.equal(d.healthy, true);
});

t.test('THIRD-PARTY-LICENSES.txt: every runtime dependency, with its version and licence text', async (t) => {
  const text = readFileSync(join(app, 'dist', 'bundle', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
  const sections = text.split(/\n-{72}\n/);
  const deps = Object.keys(PKG.dependencies);
  for (const name of ['@grpc/grpc-js', 'undici', 'prom-client', 'pino', 'yaml', 'pidusage']) t.ok(deps.includes(name), `${name} is a runtime dependency`);
  for (const name of deps) {
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    const header = `${name} ${installed.version} (`;
    const section = sections.find((s) => s.replace(/^Packages bundled into otel-sentinel:\n\n/, '').trimStart().startsWith(header));
    t.ok(section, `${name} ${installed.version} is named`);
    const body = section?.slice(section.indexOf('\n\n', section.indexOf(header)) + 2).trim() ?? '';
    t.ok(body.length > 100, `${name}: its licence text is there`);
    t.notMatch(body, /^\(no licence file/, `${name}: a licence file, not only a package.json field`);
  }
});
