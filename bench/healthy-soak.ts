/**
 * `npm run soak -- --healthy [--duration 30m] [--interval 2s] [--level detailed] [--sample 1s]`:
 * the real collector on a healthy pipeline under steady span load (bench/healthy-pipeline.ts),
 * `otel-sentinel serve` beside it (the built daemon, its own process), and its diagnosis read
 * every `--sample`: every round must show no problem, every exporter up, the collector up and no
 * data lost. Prints the figures (rounds, probes, spans, collector scrapes, problems seen) and a
 * verdict; exit 0 when no round alarmed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../src/config/duration.js';
import type { Diagnosis } from '../src/diagnose/diagnosis.js';
import { freePort } from './free-port.js';
import { HEALTHY_TOKEN, startHealthyPipeline, sumFamily, violations } from './healthy-pipeline.js';
import { stopChild } from './stop-child.js';
import { SHIPPED_BIN } from './shipped-bin.js';


export async function healthyMain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      duration: { type: 'string', default: '30m' },
      interval: { type: 'string', default: '2s' },
      sample: { type: 'string', default: '1s' },
      level: { type: 'string', default: 'detailed' },
    },
  });
  const durationMs = parseDuration(values.duration);
  const intervalMs = parseDuration(values.interval);
  const sampleMs = parseDuration(values.sample);
  const level = values.level as 'basic' | 'normal' | 'detailed';
  const pipeline = await startHealthyPipeline({ metricsLevel: level });
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-healthy-soak-'));
  const port = await freePort();
  const sentinelFile = join(dir, 'sentinel.yaml');
  writeFileSync(
    sentinelFile,
    [
      `listen: "127.0.0.1:${port}"`,
      'collector:',
      `  config_files: [${JSON.stringify(pipeline.collector.configFile)}]`,
      '  process:',
      `    name: ${JSON.stringify(pipeline.collector.processName)}`,
      'probe:',
      `  interval: ${formatDuration(intervalMs)}`,
      `  timeout: ${formatDuration(Math.round(intervalMs * 0.75))}`,
      'log:',
      '  level: info',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [SHIPPED_BIN, 'serve', '--config', sentinelFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Ctrl-C or SIGTERM ends the run early, with its figures, and stops what it started
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let output = '';
  let outputBytes = 0;
  const keep = (b: Buffer): void => {
    outputBytes += b.length;
    output = (output + b.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const rounds = new Set<string>();
  let scrapes = 0;
  let samples = 0;
  let alarmedRounds = 0;
  const seen = new Map<string, number>();
  let probes = 0;
  let exitCode: number | null = null;
  let lastPrint = 0;
  let lastCollectorMetrics = '';
  try {
    // ready: the first round is done
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode}: ${output.slice(-2000)}`);
      const ok = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() - started > 60_000) throw new Error('the daemon was not ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(
      `healthy soak: the real collector (level ${level}), ${pipeline.backends.size} exporters, ` +
        `otel-sentinel every ${formatDuration(intervalMs)}, for ${formatDuration(durationMs)}; daemon pid ${child.pid}`,
    );
    console.log('  t(s)  diagnoses  probes   spans sent  with traffic  alarmed');
    for (;;) {
      await new Promise((r) => setTimeout(r, sampleMs));
      if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode}: ${output.slice(-2000)}`);
      const d = (await (await fetch(`${base}/api/v1/diagnosis`)).json()) as Diagnosis;
      samples++;
      // a round is judged once, when its diagnosis is first seen, and only once every exporter was probed
      if (!rounds.has(d.checked_at) && d.exporters.every((e) => e.checked_at !== null)) {
        rounds.add(d.checked_at);
        if (d.exporters.some((e) => e.traffic !== null)) scrapes++;
        const v = violations(d);
        if (v.length > 0) {
          alarmedRounds++;
          for (const x of v) {
            const key = x.replace(/\(.*\)$/, '').trim();
            if (!seen.has(key)) console.log(`  ALARM at ${((Date.now() - started) / 1000).toFixed(0)} s: ${x}`);
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
      }
      const now = Date.now();
      const last = now - started >= durationMs || interrupted;
      if (now - lastPrint >= 60_000 || last) {
        lastPrint = now;
        probes = sumFamily(await (await fetch(`${base}/metrics`)).text(), 'otel_sentinel_probes_total');
        lastCollectorMetrics = await pipeline.collector.metrics();
        const sent = sumFamily(lastCollectorMetrics, 'otelcol_exporter_sent_spans');
        console.log(
          `${((now - started) / 1000).toFixed(0).padStart(6)} ${String(rounds.size).padStart(10)} ${String(probes).padStart(7)} ` +
            `${String(sent).padStart(12)} ${String(scrapes).padStart(13)} ${String(alarmedRounds).padStart(8)}`,
        );
      }
      if (last) break;
    }
  } finally {
    exitCode = await stopChild(child, 10_000);
    await pipeline.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = lastCollectorMetrics;
  const failed = sumFamily(m, 'otelcol_exporter_send_failed_spans') + sumFamily(m, 'otelcol_exporter_send_failed_log_records');
  const enqueueFailed = sumFamily(m, 'otelcol_exporter_enqueue_failed_spans');
  let retried = 0;
  let accepted = 0;
  let empty = 0;
  for (const b of pipeline.backends.values()) {
    retried += b.counts().retryable;
    accepted += b.counts().accepted;
    empty += b.counts().empty;
  }
  const secretShown = output.includes(HEALTHY_TOKEN.slice('Bearer '.length));
  console.log('');
  console.log(`run: ${((Date.now() - started) / 1000).toFixed(0)} s, level ${level}, interval ${formatDuration(intervalMs)}`);
  const exporterCount = pipeline.backends.size;
  console.log(
    `probes: ${probes} (${Math.floor(probes / exporterCount)} rounds of ${exporterCount} exporters); diagnosis read ${samples} times, ` +
      `${rounds.size} distinct diagnoses judged, ${scrapes} of them with the collector's traffic`,
  );
  console.log(
    `spans: ${pipeline.load.accepted()} accepted by the receiver (${pipeline.load.refused()} refused); ` +
      `sent by the exporters: ${sumFamily(m, 'otelcol_exporter_sent_spans')}, send failed: ${failed}, enqueue failed: ${enqueueFailed}`,
  );
  console.log(`backends: ${accepted} batches accepted, ${retried} answered with a retryable error (recovered by the retry), ${empty} empty probe exports`);
  console.log(`daemon output: ${(outputBytes / 1024).toFixed(0)} KB; the header's secret in it: ${secretShown ? 'YES' : 'no'}; exit code after SIGTERM: ${exitCode}`);
  console.log(`problems seen: ${[...seen.values()].reduce((a, b) => a + b, 0)} in ${alarmedRounds} diagnoses`);
  for (const [k, n] of seen) console.log(`  ${n} x ${k}`);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  if (interrupted) console.log('interrupted before the end of the run');
  const pass = alarmedRounds === 0 && rounds.size > 0 && failed === 0 && enqueueFailed === 0 && !secretShown && exitCode === 0;
  console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
  return pass ? 0 : 1;
}
