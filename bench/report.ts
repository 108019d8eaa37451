import type { KindResult } from './compare-kinds.js';
import type { DetectionResult } from './detection.js';
import { DETECT_INTERVAL_S, DETECT_TIMEOUT_S } from './detection.js';
import type { EndpointResult } from './endpoints.js';
import { leadTimeRows, type LeadTimeResult } from './leadtime.js';
import type { QueueEtaResult } from './queue-eta.js';
import type { VerdictTimeResult } from './verdict-time.js';
import type { ScaleBaselineResult, ScaleResult } from './scale.js';
import type { StartupResult } from './startup.js';
import { median } from './stats.js';

export interface BenchResults {
  readonly compare: KindResult[] | null;
  readonly scale: ScaleResult | null;
  /** blackbox_exporter asked for the scale part's targets at the same rate (null or absent: not run) */
  readonly scaleBlackbox?: ScaleBaselineResult | null;
  /** the Node.js floor (Node's own modules doing the same probes) at the scale part's targets and rate */
  readonly scaleFloor?: ScaleBaselineResult | null;
  readonly detection: DetectionResult[] | null;
  readonly endpoints: EndpointResult | null;
  /** lead time on the real collector (null: not run) */
  readonly leadtime?: LeadTimeResult[] | null;
  /** seconds_to_full against the real collector's first enqueue failure, per sizer (null: not run) */
  readonly queue?: QueueEtaResult[] | null;
  /** time to a verdict on the collector's real traffic, per fault (null: not run) */
  readonly verdict?: VerdictTimeResult[] | null;
  readonly startup?: StartupResult | null;
}

export interface Budget {
  readonly name: string;
  /** null: not measured in this run */
  readonly pass: boolean | null;
  readonly measured: string;
}

const MB = 1024 * 1024;
const mb = (b: number): string => (Number.isFinite(b) ? `${(b / MB).toFixed(1)} MB` : 'n/a');
const ms = (v: number, digits = 3): string => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : 'n/a');
const sec = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)} s` : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a');

/** A plain-text table with aligned columns (also valid Markdown). */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function budgets(r: BenchResults): Budget[] {
  const out: Budget[] = [];
  const e = r.endpoints;
  const check = (name: string, measured: number | null, limit: number, show: (v: number) => string): void => {
    out.push({ name, pass: measured === null || !Number.isFinite(measured) ? null : measured < limit, measured: measured === null ? 'not run' : show(measured) });
  };
  check('idle RSS < 70 MB with 10 exporters', e ? e.idleRssBytes : null, 70 * MB, mb);
  check('/metrics median < 5 ms at 100 exporters', e ? (e.latency.find((l) => l.exporters === 100 && l.path === '/metrics')?.medianMs ?? NaN) : null, 5, (v) => ms(v, 2));
  check('start to ready < 500 ms (10 exporters)', e ? median(e.readyMs) : null, 500, (v) => ms(v, 0));
  const s = r.scale;
  const at = s ? `${s.exporters} exporters at ${s.intervalS} s` : '1,000 exporters at 15 s';
  check(`${at}: CPU < 10 % of one core`, s ? s.cpuPercent : null, 10, (v) => `${v.toFixed(2)} %`);
  check(`${at}: RSS < 150 MB`, s ? s.hwmBytes : null, 150 * MB, (v) => `${mb(v)} (peak)`);
  check(`${at}: schedule lag p99 < 1 s`, s ? s.lagP99 : null, 1, (v) => ms(v * 1000, 1));
  const limit = DETECT_INTERVAL_S + DETECT_TIMEOUT_S;
  for (const d of r.detection ?? [null]) {
    const name = `detection p99 <= interval + timeout (${limit} s)${d ? `: ${d.label}` : ''}`;
    if (!d) out.push({ name, pass: null, measured: 'not run' });
    else {
      const missed = d.oursMissed > 0;
      out.push({ name, pass: !missed && d.oursP99 <= limit, measured: `${sec(d.oursP99)}${missed ? `, ${d.oursMissed} missed` : ''}` });
    }
  }
  // only when run: it is a part of its own (--only leadtime)
  for (const l of (r.leadtime ?? []).filter((x) => x.queueHolds)) {
    const name = `lead time: otel-sentinel first in every run where the queue holds the outage: ${l.id}`;
    out.push({ name, pass: l.sentinelFirstEveryRun, measured: `worst lead ${Number.isFinite(l.worstLeadS) ? sec(l.worstLeadS) : String(l.worstLeadS)}` });
  }
  // only when run: a part of its own (--only queue)
  for (const q of r.queue ?? []) {
    check(`seconds_to_full error, worst run < 20 %: sizer ${q.sizer}`, q.worstError * 100, 20, (v) => `${v.toFixed(1)} %`);
  }
  for (const id of ['http', 'https', 'grpc']) {
    const k = r.compare?.find((c) => c.kind === id);
    const v = k ? k.oursMsPerProbe / k.theirsMsPerProbe : null;
    out.push({
      name: `CPU per probe ours/theirs <= 1.0: ${k?.label ?? id}`,
      pass: v === null || !Number.isFinite(v) ? null : v <= 1,
      measured: v === null ? 'not run' : Number.isFinite(v) ? v.toFixed(2) : 'n/a',
    });
  }
  return out;
}

export function renderReport(r: BenchResults): string {
  const parts: string[] = [];
  const rows: string[][] = [];
  for (const k of r.compare ?? []) {
    rows.push([`CPU per probe: ${k.label}`, ms(k.oursMsPerProbe), ms(k.theirsMsPerProbe), ratio(k.oursMsPerProbe, k.theirsMsPerProbe)]);
  }
  for (const k of r.compare ?? []) {
    const f = [k.oursFreshMsPerProbe, k.theirsFreshMsPerProbe] as const;
    rows.push([`CPU per probe, first window: ${k.label}`, ms(f[0]), ms(f[1]), ratio(f[0], f[1])]);
  }
  for (const k of r.compare ?? []) {
    rows.push([`RSS while probing: ${k.label}`, mb(k.oursRss), mb(k.theirsRss), ratio(k.oursRss, k.theirsRss)]);
  }
  for (const d of r.detection ?? []) {
    rows.push([`detection p50: ${d.label}`, sec(d.oursP50), sec(d.theirsP50), ratio(d.oursP50, d.theirsP50)]);
    rows.push([`detection p99: ${d.label}`, sec(d.oursP99), sec(d.theirsP99), ratio(d.oursP99, d.theirsP99)]);
  }
  if (rows.length > 0) parts.push(table(['side by side', 'otel-sentinel', 'blackbox_exporter', 'ours/theirs'], rows));

  const abs: string[][] = [];
  const s = r.scale;
  if (s) {
    const at = `${s.exporters} exporters at ${s.intervalS} s`;
    const several = s.cpuPercentRuns.length > 1;
    const runs = several ? `, median of ${s.cpuPercentRuns.map((c) => c.toFixed(2)).join(', ')}` : '';
    abs.push([`${at}: CPU (% of one core${runs})`, `${s.cpuPercent.toFixed(2)} %`]);
    abs.push([`${at}: CPU in the first interval after ready`, `${s.firstIntervalCpuPercent.toFixed(2)} %`]);
    abs.push([`${at}: RSS at end / peak`, `${mb(s.rssBytes)} / ${mb(s.hwmBytes)}`]);
    abs.push([`${at}: schedule lag p50 / p99`, `${ms(s.lagP50 * 1000, 2)} / ${ms(s.lagP99 * 1000, 2)}`]);
    abs.push([`${at}: probes in ${s.seconds.toFixed(0)} s (failed${several ? ', all runs' : ''})`, `${s.probes} (${s.failed})`]);
  }
  // the scale part's baselines, each beside the daemon's figures
  for (const [who, b] of [['blackbox_exporter', r.scaleBlackbox], ['the Node.js floor', r.scaleFloor]] as const) {
    if (!b) continue;
    const at = `${who}, ${b.targets} targets each every ${b.intervalS} s`;
    abs.push([`${at}: CPU (% of one core)`, `${b.cpuPercent.toFixed(2)} %${s ? ` (otel-sentinel ${ratio(s.cpuPercent, b.cpuPercent)}x)` : ''}`]);
    abs.push([`${at}: RSS at end / peak`, `${mb(b.rssBytes)} / ${mb(b.hwmBytes)}${s ? ` (otel-sentinel's peak ${ratio(s.hwmBytes, b.hwmBytes)}x)` : ''}`]);
    abs.push([`${at}: probes in ${b.seconds.toFixed(0)} s (failed)`, `${b.probes} (${b.failed})`]);
  }
  const e = r.endpoints;
  if (e) {
    for (const l of e.latency) abs.push([`${l.path} at ${l.exporters} exporters: median / p99 (${(l.bytes / 1024).toFixed(0)} KiB)`, `${ms(l.medianMs, 2)} / ${ms(l.p99Ms, 2)}`]);
    abs.push([`start to ready, ${e.readyExporters} exporters (median of ${e.readyMs.length})`, ms(median(e.readyMs), 0)]);
    abs.push([`idle RSS, ${e.readyExporters} exporters after ${e.idleS} s`, mb(e.idleRssBytes)]);
  }
  for (const q of r.queue ?? []) {
    const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
    const first = q.runs.map((x) => `${(x.warnedMs / 1000).toFixed(1)}`).join(', ');
    abs.push([`queue (sizer ${q.sizer}, ${q.runs.length} run(s)): seconds_to_full error median / worst (first warning at ${first} s)`, `${pct(q.medianError)} / ${pct(q.worstError)}`]);
  }
  for (const v of r.verdict ?? []) {
    const at = (x: number | null): string => (x === null ? 'never' : `${(x / 1000).toFixed(1)} s`);
    abs.push([`verdict ${v.reason} (${v.fault}): collector shows it / otel-sentinel names it (rounds later; control alarms)`,
      `${at(v.seenByCollectorMs)} / ${at(v.verdictMs)} (${v.rounds === null ? '?' : v.rounds.toFixed(2)}; ${v.controlAlarms})`]);
  }
  const st = r.startup;
  if (st) {
    const n = st.readyMs.length;
    abs.push([`start: spawn to ready, ${st.exporters} exporters / a bare node's first HTTP 200 (medians of ${n})`, `${ms(median(st.readyMs), 0)} / ${ms(median(st.bareMs), 0)} (${ratio(median(st.readyMs), median(st.bareMs))}x)`]);
    if (st.steps.length > 0) {
      const keys = [...new Set(st.steps.flatMap((x) => Object.keys(x)))];
      const med = keys.map((k) => `${k.replace(/_ms$/, '')} ${ms(median(st.steps.map((x) => x[k] ?? 0)), 0)}`);
      abs.push([`start, the daemon's own steps (medians of ${st.steps.length})`, med.join(', ')]);
    }
    abs.push([`idle RSS after ${st.idleS} s, ${st.exporters} exporters / a bare node HTTP server`, `${mb(st.idle.rssBytes)} / ${mb(st.bareIdle.rssBytes)}`]);
    abs.push([`idle RSS after ${st.idleS} s, ${st.exporters} exporters: anonymous + file-backed`, `${mb(st.idle.anonBytes)} + ${mb(st.idle.fileBytes)}`]);
    abs.push([`idle RSS after ${st.idleS} s, a bare node: anonymous + file-backed`, `${mb(st.bareIdle.anonBytes)} + ${mb(st.bareIdle.fileBytes)}`]);
    abs.push([
      `start: spawn to ready, ${st.exporters} exporters / blackbox_exporter's spawn to one probe of each of the same targets answered (medians of ${st.blackboxMs.length})`,
      `${ms(median(st.readyMs), 0)} / ${ms(median(st.blackboxMs), 0)} (${ratio(median(st.readyMs), median(st.blackboxMs))}x)`,
    ]);
    abs.push([
      `idle RSS after ${st.idleS} s, ${st.exporters} exporters / blackbox_exporter after probing them once: anonymous + file-backed`,
      `${mb(st.idle.rssBytes)} / ${mb(st.blackboxIdle.rssBytes)}: ${mb(st.blackboxIdle.anonBytes)} + ${mb(st.blackboxIdle.fileBytes)} (${ratio(st.idle.rssBytes, st.blackboxIdle.rssBytes)}x)`,
    ]);
    abs.push([
      `start: spawn to ready, ${st.exporters} exporters / the Node.js floor's spawn to its first round (Node's own modules, the same probes; medians of ${st.floorMs.length})`,
      `${ms(median(st.readyMs), 0)} / ${ms(median(st.floorMs), 0)} (${ratio(median(st.readyMs), median(st.floorMs))}x)`,
    ]);
    abs.push([
      `idle RSS after ${st.idleS} s, ${st.exporters} exporters / the Node.js floor after its first round: anonymous + file-backed`,
      `${mb(st.idle.rssBytes)} / ${mb(st.floorIdle.rssBytes)}: ${mb(st.floorIdle.anonBytes)} + ${mb(st.floorIdle.fileBytes)} (${ratio(st.idle.rssBytes, st.floorIdle.rssBytes)}x)`,
    ]);
  }
  if (abs.length > 0) parts.push(table(['otel-sentinel alone', 'measured'], abs));
  if (r.leadtime) {
    parts.push(
      table(
        ['lead time, real collector: fault', 'cause on /metrics (median / worst)', 'first span dropped (median / worst)', 'lead (median / worst)', 'first every run'],
        leadTimeRows(r.leadtime),
      ),
    );
  }

  const b = budgets(r);
  parts.push(
    table(
      ['budget', 'measured', 'result'],
      b.map((x) => [x.name, x.measured, x.pass === null ? 'n/a' : x.pass ? 'PASS' : 'FAIL']),
    ),
  );
  return parts.join('\n\n');
}
