import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/ops/rule-files.js';

const run = promisify(execFile);

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    // comments, also inside a continued instruction, are not part of it
    if (/^\s*#/.test(line)) continue;
    current += current ? ` ${line.trim()}` : line.trim();
    if (current.endsWith('\\')) {
      current = current.slice(0, -1).trimEnd();
      continue;
    }
    if (current) {
      const m = /^(\w+)\s+(.*)$/s.exec(current);
      if (m?.[1] && m[2] !== undefined) out.push({ op: m[1].toUpperCase(), args: m[2] });
    }
    current = '';
  }
  return out;
}

/** Instructions grouped by stage (everything after a FROM, up to the next FROM). */
function stages(all: Instruction[]): { from: string; name: string | null; body: Instruction[] }[] {
  const result: { from: string; name: string | null; body: Instruction[] }[] = [];
  for (const i of all) {
    if (i.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      result.push({ from: m?.[1] ?? i.args, name: m?.[2] ?? null, body: [] });
    } else {
      result.at(-1)?.body.push(i);
    }
  }
  return result;
}

const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const all = instructions(text);
const stageList = stages(all);
const build = stageList.find((s) => s.name === 'build');
const runtime = stageList.at(-1);
const ops = (body: Instruction[] | undefined, op: string) => (body ?? []).filter((i) => i.op === op).map((i) => i.args);

t.test('the Dockerfile is multi-stage on a pinned Node 24 slim image', async (t) => {
  t.ok(stageList.length >= 2, `${stageList.length} stages`);
  t.ok(build, 'a stage named build');
  t.not(runtime?.name, 'build', 'the last stage is the runtime, not the build');
  const arg = all.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
  const base = arg?.args.slice('NODE_IMAGE='.length) ?? '';
  t.match(base, /^node:24\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/, `pinned Node 24 base: ${base}`);
  for (const s of stageList) {
    t.equal(s.from, '${NODE_IMAGE}', `stage ${s.name}: FROM the pinned base`);
  }
  t.notMatch(text, /:latest\b/, 'no :latest anywhere');
});

t.test('build compiles and bundles with dev dependencies; runtime holds the bundle and no node_modules', async (t) => {
  const buildRuns = ops(build?.body, 'RUN').join('\n');
  t.match(buildRuns, /\bnpm ci\b/);
  t.match(buildRuns, /\bnpm run build\b/);
  t.ok(ops(build?.body, 'COPY').some((c) => /^scripts\/bundle\.mjs\s/.test(c)), 'the build stage has the bundle script');
  const runtimeRuns = ops(runtime?.body, 'RUN').join('\n');
  t.notMatch(runtimeRuns, /\bnpm (ci|install)\b/, 'no npm install in the runtime stage: the bundle holds the packages');
  const copies = ops(runtime?.body, 'COPY');
  t.ok(copies.some((c) => /^--from=build\s+\/app\/dist\/bundle\s+\.\/dist\/bundle$/.test(c)), 'copies dist/bundle from the build stage');
  t.ok(copies.some((c) => /^package\.json\s/.test(c)), 'copies package.json (the version)');
  t.ok(copies.some((c) => /^config\s/.test(c)), 'copies config/');
  t.notOk(copies.some((c) => /^src\b|^\.\s|node_modules/.test(c)), 'no sources and no node_modules in the runtime stage');
});

t.test('runs as a non-root user, exposes 13134, starts the daemon', async (t) => {
  const users = ops(runtime?.body, 'USER');
  t.ok(users.length > 0, 'a USER in the runtime stage');
  const user = users.at(-1) ?? '';
  t.notMatch(user, /^(root|0)(:|$)/, `USER ${user} is not root`);
  t.same(ops(runtime?.body, 'EXPOSE'), ['13134']);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  t.same(JSON.parse(ops(runtime?.body, 'ENTRYPOINT')[0] ?? 'null'), ['node', '--liftoff-only', pkg.bin['otel-sentinel']], 'ENTRYPOINT runs the package bin');
  // `otel-sentinel check` through kubectl exec runs node as the daemon does (docs/performance.md)
  const wrapper = ops(runtime?.body, 'RUN').find((r) => r.includes('/usr/local/bin/otel-sentinel')) ?? '';
  t.ok(wrapper.includes(`exec node --liftoff-only /app/${pkg.bin['otel-sentinel']} "$@"`), 'the otel-sentinel command on PATH starts node the same way');
  const cmd = JSON.parse(ops(runtime?.body, 'CMD')[0] ?? 'null') as string[];
  t.same(cmd, ['serve', '--config', '/etc/otel-sentinel/sentinel.yaml']);
  // the Kubernetes Deployment passes the same arguments and mounts the config there
  const deployment = parse(readFileSync(join(REPO_ROOT, 'deploy/kubernetes/deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } };
  };
  const sidecar = deployment.spec.template.spec.containers.find((c) => c.name === 'otel-sentinel');
  t.same(sidecar?.args, cmd, 'the Deployment runs the image the same way');
});

t.test('the runtime environment: production, the config path, two malloc arenas', async (t) => {
  const env = new Map<string, string>();
  for (const args of ops(runtime?.body, 'ENV')) {
    for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
  }
  t.equal(env.get('NODE_ENV'), 'production');
  t.equal(env.get('OTEL_SENTINEL_CONFIG'), '/etc/otel-sentinel/sentinel.yaml');
  t.equal(env.get('MALLOC_ARENA_MAX'), '2', 'caps the malloc arenas the V8 threads keep (docs/performance.md)');
  t.equal(env.get('MALLOC_TRIM_THRESHOLD_'), '131072', 'glibc gives freed memory back instead of raising its threshold (docs/performance.md)');
});

const healthcheckScript = (): string => {
  const hc = ops(runtime?.body, 'HEALTHCHECK')[0] ?? '';
  const m = /CMD\s+(\[.*\])\s*$/s.exec(hc);
  const argv = JSON.parse(m?.[1] ?? '[]') as string[];
  if (argv[0] !== 'node' || argv[1] !== '-e' || typeof argv[2] !== 'string') throw new Error(`unexpected HEALTHCHECK: ${hc}`);
  return argv[2];
};

t.test('HEALTHCHECK asks /livez with node itself, no curl or wget', async (t) => {
  const hc = ops(runtime?.body, 'HEALTHCHECK')[0] ?? '';
  t.notMatch(hc, /\b(curl|wget)\b/);
  t.match(hc, /--interval=\d+s/);
  t.match(hc, /--timeout=\d+s/);
  const script = healthcheckScript();
  t.match(script, /http:\/\/127\.0\.0\.1:13134\/livez/);
});

t.test('the HEALTHCHECK script exits 0 on 200, 1 on 503 and 1 when nothing listens', async (t) => {
  const script = healthcheckScript();
  let status = 200;
  const server: Server = createServer((req, res) => {
    res.statusCode = req.url === '/livez' ? status : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const exitCode = (p: number) =>
    run(process.execPath, ['-e', script.replace('127.0.0.1:13134', `127.0.0.1:${p}`)], { timeout: 30_000 }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
  t.equal(await exitCode(port), 0, 'healthy');
  status = 503;
  t.equal(await exitCode(port), 1, 'unhealthy');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.equal(await exitCode(port), 1, 'not listening');
});

t.test('.dockerignore keeps the context small but keeps what the build needs', async (t) => {
  const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const p of ['node_modules', '.git', 'dist', 'test']) t.ok(ignored.includes(p), `ignores ${p}`);
  t.ok(ignored.includes('!scripts/bundle.mjs'), 'lets scripts/bundle.mjs back in');
  for (const p of ['src', 'config', 'scripts', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    t.notOk(ignored.includes(p), `keeps ${p}`);
  }
});
