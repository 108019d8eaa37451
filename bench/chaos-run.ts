/**
 * `npm run soak -- --chaos [--probes 100000 | --duration 10m] [--exporters 40] [--interval 250ms]
 * [--timeout 200ms] [--sample 2s] [--warmup 60s] [--seed 1]`: the chaos run of bench/chaos.ts,
 * its figures and a verdict per invariant. Exit 0 when every one holds.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/config/duration.js';
import { chaosVerdicts, runChaos } from './chaos.js';

export async function chaosMain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      probes: { type: 'string' },
      duration: { type: 'string' },
      exporters: { type: 'string', default: '40' },
      interval: { type: 'string', default: '250ms' },
      timeout: { type: 'string', default: '200ms' },
      sample: { type: 'string', default: '2s' },
      warmup: { type: 'string', default: '60s' },
      seed: { type: 'string', default: '1' },
    },
  });
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
    log: (line: string) => console.log(line),
  };
  console.log(
    `chaos: ${o.exporters} flapping exporters + 2, every ${values.interval} (timeout ${values.timeout}), until ` +
      `${Number.isFinite(probes) ? `${probes} probes` : values.duration}; seed ${o.seed}`,
  );
  const r = await runChaos(o);
  console.log('');
  console.log(`probes: ${r.probes} in ${r.seconds.toFixed(0)} s (${(r.probes / r.seconds).toFixed(0)}/s)`);
  console.log(
    `chaos: ${r.kills} collector SIGKILLs, ${r.reloads.valid} valid and ${r.reloads.broken} broken config swaps, ` +
      `${r.flips.total} backend flips, ${r.rotations.total} certificate rotations, ${r.dnsChanges.total} DNS changes`,
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
