import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './bench-options.js';
import { probeSucceeded } from './blackbox-driver.js';
import { startBlackbox } from './blackbox-process.js';
import { freePort } from './free-port.js';
import { httpGet, pollUntil } from './http-get.js';
import { floorTargetOf, startNodeFloor } from './node-floor-process.js';
import { mixedBlackboxProbes, mixedExporters, type ProbeKind } from './probe-kinds.js';
import { startSentinel, type BenchExporter } from './sentinel-process.js';
import { sleep } from './stats.js';

/** Resident memory of a process from /proc/PID/smaps_rollup, bytes. */
export interface Resident {
  readonly rssBytes: number;
  /** private, anonymous pages: the heaps, stacks and JIT code */
  readonly anonBytes: number;
  /** pages of mapped files (the node binary and its libraries): shared and clean */
  readonly fileBytes: number;
}

export function readResident(pid: number): Resident {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  const rss = kb('Rss');
  const anon = kb('Anonymous');
  return { rssBytes: rss, anonBytes: anon, fileBytes: rss - anon };
}

export interface StartupResult {
  readonly exporters: number;
  /** spawn to the first 200 of /readyz (the first round done), ms, one per run */
  readonly readyMs: number[];
  /** spawn to the first 200 of a bare `node` HTTP server, ms, one per run (alternating with the above) */
  readonly bareMs: number[];
  /**
   * spawn of blackbox_exporter to its answers to one probe of each of the same targets (the
   * daemon's first round, as Prometheus would ask for it), ms, one per run (alternating too)
   */
  readonly blackboxMs: number[];
  /**
   * spawn of the Node.js floor (`node-floor.ts`: Node's own modules doing the same probes, nothing
   * else) to its first round done, ms, one per run (alternating too)
   */
  readonly floorMs: number[];
  /** the daemon's own start-up steps (its `otel-sentinel ready` log line), ms, one record per run */
  readonly steps: Record<string, number>[];
  readonly idleS: number;
  readonly idle: Resident;
  readonly bareIdle: Resident;
  /** blackbox_exporter idle, `idleS` after its first probes */
  readonly blackboxIdle: Resident;
  /** the Node.js floor idle, `idleS` after its first round */
  readonly floorIdle: Resident;
}

const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.argv[1]), '127.0.0.1')`;

/** The process's resident memory after `idleS` seconds idle; null when `idleS` is null (not the run that measures it). */
async function idleResident(pid: number, idleS: number | null): Promise<Resident | null> {
  if (idleS === null) return null;
  await sleep(idleS * 1000);
  return readResident(pid);
}

/** A bare node answering HTTP: the floor of what any Node.js sidecar costs to start and to hold. */
async function bareNode(idleS: number | null): Promise<{ ms: number; idle: Resident | null }> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['-e', BARE_SERVER, String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const ms = await pollUntil(
      'bare node HTTP server',
      async () => ((await httpGet(`http://127.0.0.1:${port}/`, 2000).catch(() => null))?.status === 200 ? performance.now() - spawnedAt : undefined),
      10,
      30_000,
    );
    return { ms, idle: await idleResident(child.pid!, idleS) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** The Node.js floor from its spawn until its first round is done: the same probes with Node's own modules only. */
async function nodeFloorFirstRound(exporters: readonly BenchExporter[], idleS: number | null): Promise<{ ms: number; idle: Resident | null }> {
  const floor = await startNodeFloor(exporters.map(floorTargetOf));
  try {
    const ms = await floor.waitReady();
    return { ms, idle: await idleResident(floor.pid, idleS) };
  } finally {
    await floor.stop();
  }
}

/**
 * blackbox_exporter from its spawn until it has answered one probe of each target (all asked at
 * once as soon as it is healthy, as Prometheus scrapes would), each with probe_success 1: what
 * the daemon's first round does, done by the tool an SRE would run instead.
 */
async function blackboxFirstRound(
  probes: readonly ProbeKind['blackbox'][],
  dir: string,
  caFile: string,
  idleS: number | null,
): Promise<{ ms: number; idle: Resident | null }> {
  const bb = await startBlackbox(dir, caFile, 10);
  try {
    const answers = await Promise.all(probes.map((p) => httpGet(bb.probeUrl(p.target, p.module), 10_000)));
    const ms = performance.now() - bb.spawnedAt;
    const failed = probes.filter((_, i) => answers[i]!.status !== 200 || !probeSucceeded(answers[i]!.body));
    if (failed.length > 0) throw new Error(`blackbox_exporter failed its first probes: ${failed.map((p) => `${p.module} ${p.target}`).join(', ')}`);
    return { ms, idle: await idleResident(bb.pid, idleS) };
  } finally {
    await bb.stop();
  }
}

/**
 * Start-up and idle memory beside baselines taken in the same run: spawn to ready with 10 mixed
 * exporters, spawn to the first answer of a bare node HTTP server, spawn of the Node.js floor
 * (Node's own modules doing the same probes) to its first round done, and spawn of
 * blackbox_exporter to its answers to one probe of each of the same 10 targets, alternating, `startupRuns` times
 * each (on a shared machine only the medians and their ratios mean something); then the resident
 * memory of each, idle, split into anonymous and file-backed pages.
 */
export async function runStartup(kinds: readonly ProbeKind[], o: BenchOptions, dir: string, collectorPid: number, caFile: string): Promise<StartupResult> {
  const exporters = 10;
  const readyMs: number[] = [];
  const bareMs: number[] = [];
  const blackboxMs: number[] = [];
  const floorMs: number[] = [];
  const steps: Record<string, number>[] = [];
  let idle: Resident | null = null;
  let bareIdle: Resident | null = null;
  let blackboxIdle: Resident | null = null;
  let floorIdle: Resident | null = null;
  for (let i = 0; i < o.startupRuns; i++) {
    const last = i === o.startupRuns - 1;
    const bare = await bareNode(last ? o.idleS : null);
    bareMs.push(bare.ms);
    bareIdle = bare.idle ?? bareIdle;
    const floor = await nodeFloorFirstRound(mixedExporters(exporters, kinds), last ? o.idleS : null);
    floorMs.push(floor.ms);
    floorIdle = floor.idle ?? floorIdle;
    const bb = await blackboxFirstRound(mixedBlackboxProbes(exporters, kinds), join(dir, `blackbox-${i}`), caFile, last ? o.idleS : null);
    blackboxMs.push(bb.ms);
    blackboxIdle = bb.idle ?? blackboxIdle;
    const s = await startSentinel({ dir: join(dir, `startup-${i}`), exporters: mixedExporters(exporters, kinds), interval: '15s', timeout: '5s', mode: 'export', collectorPid });
    try {
      readyMs.push(await s.waitReady());
      const logged = await pollUntil('the ready log line', async () => s.startup() ?? undefined, 10, 5000).catch(() => null);
      if (logged) steps.push(logged);
      if (last) idle = await idleResident(s.pid, o.idleS);
    } finally {
      await s.stop();
    }
  }
  return { exporters, readyMs, bareMs, blackboxMs, floorMs, steps, idleS: o.idleS, idle: idle!, bareIdle: bareIdle!, blackboxIdle: blackboxIdle!, floorIdle: floorIdle! };
}
