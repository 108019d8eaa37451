/**
 * otel-sentinel measured side by side with Prometheus' blackbox_exporter on the same loopback
 * targets, in one run: CPU and memory per probe kind, time to detect four failures, and
 * otel-sentinel's own scale, endpoint latency, start-up and idle memory, ending with the budgets.
 *
 *   npm run bench                                # the full run (about half an hour)
 *   node dist/bench/run.js --quick               # about a minute: every part, small
 *   node dist/bench/run.js --only scale --out r.json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBenchCerts } from './bench-certs.js';
import { parseBenchArgs, type BenchOptions } from './bench-options.js';
import { BLACKBOX_BIN } from './blackbox-process.js';
import { compareKinds } from './compare-kinds.js';
import { DETECT_INTERVAL_S, DETECT_TIMEOUT_S, runDetection } from './detection.js';
import { runEndpoints } from './endpoints.js';
import { LEAD_INTERVAL, LEAD_QUEUE, LEAD_TIMEOUT, runLeadTime } from './leadtime.js';
import { benchAgent } from './http-get.js';
import { probeKinds } from './probe-kinds.js';
import { runQueueEta } from './queue-eta.js';
import { runVerdictTime, VERDICT_INTERVAL_S } from './verdict-time.js';
import { budgets, renderReport, type BenchResults } from './report.js';
import { runScaleBlackbox, runScaleFloor, runScaleRounds, SCALE_INTERVAL_S } from './scale.js';
import { IMAGE_NODE_FLAGS } from './shipped-bin.js';
import { runStartup } from './startup.js';
import { startTargets } from './target-process.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function versionOf(bin: string): string {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}

async function bench(o: BenchOptions, dir: string): Promise<BenchResults> {
  const certs = makeBenchCerts(dir);
  const targets = await startTargets(certs);
  const kinds = probeKinds(targets.ports, certs);
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = { compare: null, scale: null, scaleBlackbox: null, scaleFloor: null, detection: null, endpoints: null, startup: null, leadtime: null, queue: null, verdict: null };
  try {
    if (o.parts.has('compare')) {
      log(`side by side: ${o.exporters} exporters at ${o.intervalS} s = ${(o.exporters / o.intervalS).toFixed(1)} probes/s, ${o.windowS} s windows, ${o.rounds} rounds A B`);
      results.compare = await compareKinds(kinds, o, join(dir, 'compare'), certs, targets.pid, log);
    }
    if (o.parts.has('scale')) {
      log(`scale: ${o.scaleExporters} exporters at ${SCALE_INTERVAL_S} s for ${o.scaleS} s, ${o.scaleRounds} run(s)`);
      results.scale = await runScaleRounds(kinds, o, join(dir, 'scale'), targets.pid);
      log(`scale: blackbox_exporter asked for the same ${o.scaleExporters} targets, each every ${SCALE_INTERVAL_S} s, for ${o.scaleS} s`);
      results.scaleBlackbox = await runScaleBlackbox(kinds, o, join(dir, 'scale-blackbox'), certs.caFile);
      log(`scale: the Node.js floor (Node's own modules, the same probes) at the same ${o.scaleExporters} targets, ${o.scaleS} s window`);
      results.scaleFloor = await runScaleFloor(kinds, o);
    }
    if (o.parts.has('detect')) {
      log(`detection: ${o.flips} flips per failure, interval ${DETECT_INTERVAL_S} s, timeout ${DETECT_TIMEOUT_S} s`);
      results.detection = await runDetection(o, join(dir, 'detect'), certs, targets, log);
    }
    if (o.parts.has('endpoints')) {
      log(`endpoints: ${o.requests} requests each at 100 and 1000 exporters; ready and idle RSS at 10`);
      results.endpoints = await runEndpoints(kinds, o, join(dir, 'endpoints'), targets.pid);
    }
    if (o.parts.has('startup')) {
      log(`startup: ${o.startupRuns} starts each of otel-sentinel (10 exporters), a bare node and blackbox_exporter (the same 10 targets), alternating; idle RSS after ${o.idleS} s`);
      results.startup = await runStartup(kinds, o, join(dir, 'startup'), targets.pid, certs.caFile);
    }
    if (o.parts.has('leadtime')) {
      log(`lead time: the real collector, queue ${LEAD_QUEUE} requests, otel-sentinel every ${LEAD_INTERVAL} (timeout ${LEAD_TIMEOUT}), ${o.leadRuns} run(s)`);
      results.leadtime = await runLeadTime({ runs: o.leadRuns }, log);
    }
    if (o.parts.has('queue')) {
      log('queue: seconds_to_full at the first queue warning against the real collector\'s first enqueue failure, per sizer');
      results.queue = await runQueueEta(o, log);
    }
    if (o.parts.has('verdict')) {
      log(`verdict: the real collector's own outcomes, one exporter per fault, otel-sentinel every ${VERDICT_INTERVAL_S} s`);
      results.verdict = await runVerdictTime(o, log);
    }
  } finally {
    await targets.stop();
  }
  return results;
}

async function main(): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const cpu = cpus();
  log(`otel-sentinel vs blackbox_exporter${o.quick ? ' (quick)' : ''}`);
  log(`node ${[process.version, ...IMAGE_NODE_FLAGS].join(' ')}; ${versionOf(BLACKBOX_BIN)}; ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}`);
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-bench-'));
  try {
    const results = await bench(o, dir);
    log('');
    log(renderReport(results));
    if (o.out) {
      const doc = { options: { ...o, parts: [...o.parts] }, node: process.version, blackbox: versionOf(BLACKBOX_BIN), cpus: cpu.length, ...results, budgets: budgets(results) };
      writeFileSync(o.out, `${JSON.stringify(doc, null, 1)}\n`);
    }
    log('bench: done');
    return 0;
  } finally {
    benchAgent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
