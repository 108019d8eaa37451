/**
 * CPU and wall time per probe of the four common exporter kinds against loopback backends that run
 * in a child process (so only the prober's own CPU is counted): plaintext gRPC, gRPC over TLS,
 * HTTP and HTTPS, each a full probe with a fresh TCP (+TLS) connection and an empty export.
 *
 *   npm run build && node dist/bench/probe-cost.js [probes per kind, default 500]
 *
 * Targets (CPU per probe, compared with blackbox_exporter): HTTP POST <= 2.3 ms, HTTPS POST
 * <= 3.5 ms, plaintext gRPC <= 2.5 ms. Not a test: numbers depend on the machine.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createProber } from '../src/probe/create-prober.js';
import { judgedProber, judgeProbe } from '../src/diagnose/judge.js';
import type { ExporterSpec } from '../src/config/exporter-spec.js';
import type { ProbeContext } from '../src/probe/prober.js';

interface Ports {
  caFile: string;
  grpc: number;
  grpcTls: number;
  http: number;
  https: number;
}

const probes = Number(process.argv[2] ?? 500);
const warmup = 50;

function spec(name: string, protocol: 'grpc' | 'http', endpoint: string, caFile?: string): ExporterSpec {
  return {
    name,
    type: protocol === 'grpc' ? 'otlp' : 'otlphttp',
    protocol,
    endpoint,
    tls: { insecure: protocol === 'grpc' && !caFile, insecureSkipVerify: false, caFile },
    headers: { authorization: 'Bearer bench-token-0000' },
    timeoutMs: 5000,
    source: 'bench',
    secrets: ['Bearer bench-token-0000'],
    configProblems: [],
  };
}

const context = (): ProbeContext => ({
  signal: AbortSignal.timeout(5000),
  mode: 'export',
  certExpiryMs: 14 * 86_400_000,
  slowResponseMs: 2000,
  env: {},
});

async function measure(s: ExporterSpec): Promise<{ cpuMs: number; wallMs: number; failures: number }> {
  const prober = judgedProber(s, createProber);
  let failures = 0;
  for (let i = 0; i < warmup; i++) if (!(await judgeProbe(prober, context())).up) failures++;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < probes; i++) if (!(await judgeProbe(prober, context())).up) failures++;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  prober.prober.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000 / probes, wallMs: wall / probes, failures };
}

const serversJs = fileURLToPath(new URL('./probe-cost-servers.js', import.meta.url));
const child = spawn(process.execPath, [serversJs], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise<string>((resolve, reject) => {
  child.once('error', reject);
  child.once('exit', (code) => reject(new Error(`the bench servers exited (${code})`)));
  createInterface({ input: child.stdout }).once('line', resolve);
});
const ports = JSON.parse(line) as Ports;

const cases: [string, ExporterSpec, number][] = [
  ['gRPC plaintext', spec('otlp/plain', 'grpc', `127.0.0.1:${ports.grpc}`), 2.5],
  ['gRPC TLS', spec('otlp/tls', 'grpc', `localhost:${ports.grpcTls}`, ports.caFile), NaN],
  ['HTTP POST', spec('otlphttp/plain', 'http', `http://127.0.0.1:${ports.http}`), 2.3],
  ['HTTPS POST', spec('otlphttp/tls', 'http', `https://localhost:${ports.https}`, ports.caFile), 3.5],
];

const rows: string[] = [];
for (const [label, s, goal] of cases) {
  const r = await measure(s);
  rows.push(
    `${label.padEnd(16)} ${r.cpuMs.toFixed(3).padStart(9)} ${r.wallMs.toFixed(3).padStart(9)} ${(Number.isNaN(goal) ? '-' : goal.toFixed(1)).padStart(8)} ${String(r.failures).padStart(8)}`,
  );
}
child.stdin.end();
console.log(`probe cost over ${probes} probes each (after ${warmup} warm-up), servers in a child process`);
console.log(`${'kind'.padEnd(16)} ${'cpu ms'.padStart(9)} ${'wall ms'.padStart(9)} ${'goal ms'.padStart(8)} ${'failures'.padStart(8)}`);
for (const r of rows) console.log(r);
