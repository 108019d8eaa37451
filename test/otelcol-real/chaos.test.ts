/**
 * A tiny round of the chaos run (bench/chaos.ts, `npm run soak -- --chaos`) beside the real
 * collector: otel-sentinel's `serve` as a child process while the collector is SIGKILLed and
 * restarted, its ConfigMap-style config swapped (valid and broken), backends flapped through every
 * fault, a certificate rotated and a host name made unresolvable. Every kind of change happens at
 * least once; the invariants hold: the daemon never exits, no probe runs past probe.timeout, every
 * reload is applied or rejected with the gauge set, every change is reported with the right cause,
 * every restart is counted.
 * Needs `npm run build` (pretest runs it).
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chaosVerdicts, runChaos } from '../../bench/chaos.js';

t.test('a short chaos round keeps every invariant', async (t) => {
  t.ok(existsSync(fileURLToPath(new URL('../../dist/src/bin.js', import.meta.url))), 'the daemon is built');
  const r = await runChaos({
    probes: Infinity,
    durationMs: 25_000,
    exporters: 6,
    intervalMs: 250,
    timeoutMs: 200,
    sampleMs: 500,
    warmupMs: 5_000,
    seed: 7,
  });
  t.equal(r.daemonExit, null, 'the daemon never exited during the round');
  t.equal(r.exitAfterSigterm, 0, 'and stopped cleanly on SIGTERM');
  t.ok(r.probes > 0, `probes ran (${r.probes})`);
  t.ok(r.kills >= 1, `the collector was SIGKILLed (${r.kills} times)`);
  t.equal(r.restartsSeen, r.kills, `the daemon counted every restart (${r.restartsSeen} of ${r.kills})`);
  t.ok(r.reloads.valid >= 1 && r.reloads.broken >= 1, `valid (${r.reloads.valid}) and broken (${r.reloads.broken}) swaps`);
  t.equal(r.reloads.validApplied, r.reloads.valid, 'every valid swap applied, with the gauge at 1');
  t.equal(r.reloads.brokenRejected, r.reloads.broken, 'every broken swap rejected, with the gauge at 0 and the last good config kept');
  t.ok(r.flips.total >= 1 && r.rotations.total >= 1 && r.dnsChanges.total >= 1, 'backend flips, a certificate rotation and a DNS change happened');
  t.same(r.flips.wrong, [], 'every change reported with the right cause');
  t.equal(r.flips.right, r.flips.total);
  t.equal(r.rotations.right, r.rotations.total);
  t.equal(r.dnsChanges.right, r.dnsChanges.total);
  // A probe ends at its deadline, late only by as long as the daemon's event loop was held up
  // (plus a scheduling tick): one that missed its deadline would wait on a silent backend for good,
  // well past another interval. The exact figure is the bench's (`npm run soak -- --chaos`).
  t.ok(
    r.maxProbeSeconds <= r.timeoutSeconds + r.maxLoopLagSeconds + 0.25,
    `no probe past probe.timeout: longest ${r.maxProbeSeconds} s (${r.maxProbeWhere}), event-loop delay up to ${r.maxLoopLagSeconds} s`,
  );
  t.ok(r.samples.length > 0 && r.samples.every((s) => Number.isFinite(s.rssBytes) && s.fds > 0), 'RSS and open fds sampled from /proc');
  // the bench's own verdict lines agree on the invariants above (memory growth needs a longer run)
  const verdicts = chaosVerdicts(r);
  t.equal(verdicts.length, 10, 'the bench judges ten invariants');
  for (const v of verdicts.filter((x) => /swaps|flips|rotations|DNS changes|never exited|restarts counted/.test(x.what))) t.ok(v.ok, v.what);
  t.equal(r.dnsMode, 'names', 'in the suite, DNS changes swap the host name (no network namespace of its own)');
});
