import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { createJudgedProber } from './helpers/judged.js';
import { GRPC_STATUS } from '../src/probe/grpc-status.js';
import { exporterSpec, probeContext } from './helpers/probe-fixtures.js';
import { startGrpcServer, startHttpServer } from './helpers/servers.js';

const built = (file: string): string => JSON.stringify(pathToFileURL(resolve('dist/src', file)).href);

interface Loaded {
  readonly grpcAtStart: boolean;
  readonly grpcWithHttpExporter: boolean;
  readonly grpcWithGrpcExporter: boolean;
  readonly bundledUndici: boolean;
}

/**
 * In a fresh node with the built modules (the test's own process has loaded grpc-js long ago):
 * what is loaded once the daemon's modules are, and once probers are made for each kind.
 */
function loadedInFreshProcess(): Loaded {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const grpcLoaded = () => Object.keys(require.cache).some((f) => f.includes('@grpc/grpc-js'));
    await import(${built('daemon.js')});
    const { createProber } = await import(${built('probe/create-prober.js')});
    const { judgedProber } = await import(${built('diagnose/judge.js')});
    const { loadGrpcKeeper } = await import(${built('probe/grpc-keeper-slot.js')});
    const grpcAtStart = grpcLoaded();
    const spec = (protocol, endpoint) => ({ name: protocol === 'grpc' ? 'otlp/a' : 'otlphttp/a', type: protocol === 'grpc' ? 'otlp' : 'otlphttp',
      protocol, endpoint, tls: { insecure: true, insecureSkipVerify: false }, headers: {}, timeoutMs: 1000, source: 'c.yaml', secrets: [], configProblems: [] });
    judgedProber(spec('http', 'http://127.0.0.1:4318'), createProber).prober.close();
    await new Promise((r) => setTimeout(r, 50));
    const grpcWithHttpExporter = grpcLoaded();
    judgedProber(spec('grpc', '127.0.0.1:4317'), createProber).prober.close();
    await loadGrpcKeeper();
    const grpcWithGrpcExporter = grpcLoaded();
    const bundledUndici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));
    console.log(JSON.stringify({ grpcAtStart, grpcWithHttpExporter, grpcWithGrpcExporter, bundledUndici }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out.trim()) as Loaded;
}

t.test('the daemon loads grpc-js only for a gRPC exporter, and never Node’s bundled undici', async (t) => {
  const loaded = loadedInFreshProcess();
  t.equal(loaded.grpcAtStart, false, 'not when the daemon starts');
  t.equal(loaded.grpcWithHttpExporter, false, 'not for an OTLP/HTTP exporter');
  t.equal(loaded.grpcWithGrpcExporter, true, 'once a gRPC exporter is set up');
  t.equal(loaded.bundledUndici, false, 'node:http is loaded without its WebSocket exports');
});

t.test('a gRPC prober closed while its keeper is being made answers without probing', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const prober = createJudgedProber(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  const pending = prober.probe(probeContext());
  prober.close();
  const r = await pending;
  t.equal(r.up, false);
  t.same(r.problems, []);
  t.equal(s.calls.length, 0, 'nothing was sent');
});

t.test('a gRPC prober exports through the keeper it made, then reuses it', async (t) => {
  const s = await startGrpcServer();
  t.teardown(() => s.close());
  const prober = createJudgedProber(exporterSpec({ endpoint: `127.0.0.1:${s.port}`, tls: { insecure: true } }));
  t.teardown(() => prober.close());
  t.equal((await prober.probe(probeContext())).up, true);
  t.equal((await prober.probe(probeContext())).up, true);
  t.equal(s.calls.length, 2);
});

t.test('the status codes read without grpc-js are grpc-js’s own', async (t) => {
  const { status } = await import('@grpc/grpc-js');
  const theirs = Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === 'number'));
  t.same({ ...GRPC_STATUS }, theirs);
});

/**
 * The image runs node with --liftoff-only (Dockerfile): WebAssembly, which is undici's HTTP parser,
 * stays on V8's baseline compiler. The verdicts must be the ones the daemon gives without it.
 */
t.test('under --liftoff-only HTTP probes read answers as without it', async (t) => {
  const ok = await startHttpServer();
  const refused = await startHttpServer({ status: 503, retryAfter: '7' });
  t.teardown(async () => {
    await ok.close();
    await refused.close();
  });
  const script = `
    const { createProber } = await import(${built('probe/create-prober.js')});
    const { judgedProber, judgeProbe } = await import(${built('diagnose/judge.js')});
    const spec = (endpoint) => ({ name: 'otlphttp/a', type: 'otlphttp', protocol: 'http', endpoint, tls: { insecure: true, insecureSkipVerify: false },
      headers: {}, timeoutMs: 5000, source: 'c.yaml', secrets: [], configProblems: [] });
    const ctx = () => ({ signal: AbortSignal.timeout(5000), timeoutMs: 5000, mode: 'export', certExpiryMs: 14 * 86400000, slowResponseMs: 60000, env: {} });
    const out = [];
    for (const port of process.argv.slice(1)) {
      for (let i = 0; i < 3; i++) {
        const p = judgedProber(spec('http://127.0.0.1:' + port), createProber);
        const r = await judgeProbe(p, ctx());
        p.prober.close();
        out.push({ up: r.up, reasons: r.problems.map((x) => x.reason) });
      }
    }
    console.log(JSON.stringify(out));`;
  // asynchronously: the servers answer from this process
  const run = async (flags: string[]): Promise<unknown> => {
    const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', script, String(ok.port), String(refused.port)], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return JSON.parse(stdout.trim());
  };
  const plain = (await run([])) as { up: boolean; reasons: string[] }[];
  t.same(plain.map((r) => r.up), [true, true, true, false, false, false], 'the plain run sees one healthy and one refusing backend');
  t.ok(plain[3]!.reasons.length > 0, `the refusing one is named (${plain[3]!.reasons.join(', ')})`);
  t.same(await run(['--liftoff-only']), plain);
});
