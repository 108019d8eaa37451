import { PHASES, type Diagnosis, type ExporterDiagnosis } from '../diagnose/diagnosis.js';
import type { Problem } from '../diagnose/problem.js';
import { trafficText } from '../collector/traffic.js';
import { stateRank, STATES, type State } from '../diagnose/state.js';

/** ANSI styling, or none: colour only on a terminal (and never with NO_COLOR). */
export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const ansi = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const COLOUR: Style = { ok: ansi('32'), bad: ansi('31;1'), warn: ansi('33'), dim: ansi('2'), bold: ansi('1') };
const id = (s: string): string => s;
export const PLAIN: Style = { ok: id, bad: id, warn: id, dim: id, bold: id };

const mib = (b: number | null): string => (b === null ? '?' : `${(b / 1048576).toFixed(0)} MiB`);
const ms = (s: number | null): string => (s === null ? '-' : `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms`);

function problemLines(p: Problem, st: Style): string[] {
  const mark = p.severity === 'critical' ? st.bad('critical') : st.warn('warning');
  return [
    `  ${st.bold('cause')}   ${p.cause} / ${p.reason} (${mark})`,
    `  ${st.bold('seen')}    ${p.message}`,
    `  ${st.bold('fix')}     ${p.fix}`,
  ];
}

/** The state as the page writes it, coloured; the state itself is the diagnosis' own. */
function badge(s: State, st: Style): string {
  const text = s.toUpperCase();
  if (s === 'down') return st.bad(text);
  if (s === 'up') return st.ok(text);
  return st.warn(text);
}

const COUNTED: Record<Exclude<State, 'up'>, string> = { down: 'down', warn: 'with warnings', pending: 'not checked yet' };

/** The verdict line: what is not up, in the diagnosis' own states. */
function verdict(d: Diagnosis, st: Style): string {
  if (d.healthy) return st.ok('all healthy');
  const parts: string[] = [];
  if (d.collector.state !== 'up') parts.push(`collector ${COUNTED[d.collector.state]}`);
  const counts: Record<State, number> = { down: 0, warn: 0, pending: 0, up: 0 };
  for (const e of d.exporters) counts[e.state]++;
  const n = d.exporters.length;
  for (const s of STATES) {
    if (s === 'up' || counts[s] === 0) continue;
    parts.push(`${counts[s]} of ${n} exporter${n === 1 ? '' : 's'} ${COUNTED[s]}`);
  }
  const text = parts.join(', ');
  return d.state === 'down' ? st.bad(text) : st.warn(text);
}

function exporterBlock(e: ExporterDiagnosis, st: Style): string[] {
  const lines = [`${badge(e.state, st)}  ${st.bold(e.name)}  ${st.dim(`${e.protocol}  ${e.endpoint}`)}`, ...probedLines(e, st)];
  e.problems.forEach((p, i) => {
    if (i > 0) lines.push('');
    lines.push(...problemLines(p, st));
  });
  const timing = PHASES.map((p) => `${p.name} ${ms(e.phases[p.key])}`).join(' · ');
  lines.push(`  ${st.dim(timing)}`);
  if (e.proxy) lines.push(`  ${st.dim(`through proxy ${e.proxy.url} (from ${e.proxy.source}, ${e.proxy.mode === 'forward' ? 'absolute-form requests' : 'CONNECT tunnel'})`)}`);
  if (e.tls?.not_after) lines.push(`  ${st.dim(`certificate valid until ${e.tls.not_after} (${e.tls.version ?? '?'}, alpn ${e.tls.alpn ?? 'none'})`)}`);
  if (e.queue && e.queue.capacity) {
    const left = e.queue.seconds_to_full === null ? 'not filling' : `full in ${Math.round(e.queue.seconds_to_full)} s`;
    const unit = e.queue.unit ? ` ${e.queue.unit}` : '';
    lines.push(`  ${st.dim(`queue ${e.queue.size ?? '?'}/${e.queue.capacity}${unit} (${left})`)}`);
  }
  if (e.traffic) lines.push(`  ${st.dim(`collector's real traffic: ${trafficText(e.traffic)}`)}`);
  return lines;
}

/** What was probed: the signal exported, or what the probe leaves out. */
function probedLines(e: ExporterDiagnosis, st: Style): string[] {
  const out: string[] = [];
  if (e.signal) out.push(`  ${st.dim(`probed  ${e.signal}${e.signals && e.signals.length > 1 ? ` (carries ${e.signals.join(', ')})` : ''}`)}`);
  if (e.note) out.push(`  ${st.dim(e.note)}`);
  return out;
}

/** The human `check` report: the collector first, then one block per exporter, failing first. */
export function renderReport(d: Diagnosis, st: Style, opts: { noCollector?: boolean } = {}): string {
  const c = d.collector;
  const out: string[] = [];
  out.push(`${st.bold('otel-sentinel check')}  ${verdict(d, st)}  ${st.dim(d.checked_at)}`, '');
  const head = c.found
    ? `${badge(c.state, st)}  ${st.bold('collector')}  ${st.dim(
        `pid ${c.pid}${c.cpu_percent != null ? ` · cpu ${c.cpu_percent}%` : ''} · fds ${c.open_fds ?? '?'}/${c.max_fds ?? '?'} · memory ${mib(c.rss_bytes)} of ${mib(c.memory_limit_bytes)} · OOM kills ${c.oom_kills} · restarts ${c.restarts}`,
      )}`
    : `${badge(c.state, st)}  ${st.bold('collector')}  ${st.dim(opts.noCollector ? 'not inspected (--no-collector)' : 'process not found')}`;
  out.push(head);
  c.problems.forEach((p) => out.push(...problemLines(p, st)));
  out.push('');
  const ordered = [...d.exporters].sort((a, b) => stateRank(a.state) - stateRank(b.state) || b.problems.length - a.problems.length);
  if (ordered.length === 0) out.push(st.warn('no OTLP exporter is used by a pipeline of the collector config'), '');
  for (const e of ordered) out.push(...exporterBlock(e, st), '');
  return out.join('\n');
}
