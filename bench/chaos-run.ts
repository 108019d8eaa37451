/**
 * `npm run soak -- --chaos [--probes 100000 | --duration 10m] [--exporters 200] [--interval 1s]
 * [--timeout 1s] [--sample 2s] [--warmup 60s] [--seed 1] [--dns auto|namespace|names]`: the chaos
 * run of bench/chaos.ts, its figures and a verdict per invariant. Exit 0 when every one holds.
 *
 * DNS answers change at a loopback DNS stub when the run has network and mount namespaces of its
 * own: with `--dns auto` (the default) it runs itself again under `unshare --net --mount` (as root;
 * else with `--user --map-root-user` too, where user namespaces are allowed), and everything it
 * starts shares that namespace's loopback; where neither works it falls back to swapping the host
 * name for a `*.invalid` one, and says so.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/config/duration.js';
import { chaosVerdicts, NAMESPACE_ENV, namespaceIds, runChaos, unshareFlags } from './chaos.js';

/** Runs this very command again inside new network and mount namespaces; resolves with its exit code. */
function rerunUnshared(flags: readonly string[]): Promise<number> {
  const child = spawn('unshare', [...flags, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [NAMESPACE_ENV]: namespaceIds() },
  });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

export async function chaosMain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      probes: { type: 'string' },
      duration: { type: 'string' },
      exporters: { type: 'string', default: '200' },
      interval: { type: 'string', default: '1s' },
      timeout: { type: 'string', default: '1s' },
      sample: { type: 'string', default: '2s' },
      warmup: { type: 'string', default: '60s' },
      seed: { type: 'string', default: '1' },
      dns: { type: 'string', default: 'auto' },
    },
  });
  const inside = process.env[NAMESPACE_ENV] !== undefined;
  let dns: 'namespace' | 'names' = 'names';
  if (values.dns === 'namespace' || (values.dns === 'auto' && inside)) dns = 'namespace';
  else if (values.dns === 'auto') {
    const flags = unshareFlags();
    if (flags) return rerunUnshared(flags);
    console.log('chaos: no network namespace of its own (unshare needs root or user namespaces): DNS changes fall back to swapping the host name');
  }
  else if (values.dns !== 'names') throw new Error(`--dns ${values.dns}: use auto, namespace or names`);
  if (dns === 'namespace' && !inside) throw new Error('--dns namespace: run it under unshare --net --mount (or use --dns auto as root)');
  const probes = values.probes ? Number(values.probes) : values.duration ? Infinity : 100_000;
  const durationMs = values.duration ? parseDuration(values.duration) : Infinity;
  const o = {
    probes,
    durationMs,
    exporters: Number(values.exporters),
    intervalMs: parseDuration(values.interval),
    timeoutMs: parseDuration(values.timeout),
    sampleMs: parseDuration(values.sample),
    warmupMs: parseDuration(values.warmup),
    seed: Number(values.seed),
    dns,
    log: (line: string) => console.log(line),
  };
  console.log(
    `chaos: ${o.exporters} flapping exporters + 2, every ${values.interval} (timeout ${values.timeout}), until ` +
      `${Number.isFinite(probes) ? `${probes} probes` : values.duration}; seed ${o.seed}; DNS ${dns === 'namespace' ? 'stub in its own network namespace' : 'name swap'}`,
  );
  const r = await runChaos(o);
  console.log('');
  console.log(`probes: ${r.probes} in ${r.seconds.toFixed(0)} s (${(r.probes / r.seconds).toFixed(0)}/s)`);
  console.log(
    `chaos: ${r.kills} collector SIGKILLs, ${r.reloads.valid} valid and ${r.reloads.broken} broken config swaps, ` +
      `${r.flips.total} backend flips, ${r.rotations.total} certificate rotations, ${r.dnsChanges.total} DNS changes ${JSON.stringify(r.dnsKinds)}`,
  );
  let pass = true;
  for (const v of chaosVerdicts(r)) {
    console.log(`${v.ok ? 'ok  ' : 'FAIL'} ${v.what}`);
    pass &&= v.ok;
  }
  console.log(`  longest probe: ${r.maxProbeWhere}; longest event-loop delay of the daemon ${(r.maxLoopLagSeconds * 1000).toFixed(0)} ms`);
  console.log(`  open fds by kind, after warm-up: ${JSON.stringify(r.fds.kindsBefore)}; at the end: ${JSON.stringify(r.fds.kindsAfter)}`);
  for (const w of r.flips.wrong) console.log(`  wrong: ${w}`);
  console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
  return pass ? 0 : 1;
}
