import type { Diagnosis, ExporterDiagnosis } from './diagnose/diagnosis.js';
import type { Problem } from './diagnose/problem.js';

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

/**
 * As the status page says it: DOWN with a critical problem (or not up with nothing to say why), WARN
 * with warnings only (a probe that gave up, credentials it cannot make), else UP.
 */
const failing = (e: ExporterDiagnosis): boolean => e.problems.some((p) => p.severity === 'critical') || (!e.up && e.problems.length === 0);

function stateOf(e: ExporterDiagnosis, st: Style): string {
  if (failing(e)) return st.bad('DOWN');
  if (e.problems.length > 0) return st.warn('WARN');
  return st.ok('UP');
}

function exporterBlock(e: ExporterDiagnosis, st: Style): string[] {
  const lines = [`${stateOf(e, st)}  ${st.bold(e.name)}  ${st.dim(`${e.protocol}  ${e.endpoint}`)}`];
  e.problems.forEach((p, i) => {
    if (i > 0) lines.push('');
    lines.push(...problemLines(p, st));
  });
  const ph = e.phases;
  const timing = `dns ${ms(ph.dns_seconds)} · connect ${ms(ph.connect_seconds)} · tls ${ms(ph.tls_seconds)} · request ${ms(ph.request_seconds)}`;
  lines.push(`  ${st.dim(timing)}`);
  if (e.proxy) lines.push(`  ${st.dim(`through proxy ${e.proxy.url} (from ${e.proxy.source}, ${e.proxy.mode === 'forward' ? 'absolute-form requests' : 'CONNECT tunnel'})`)}`);
  if (e.tls?.not_after) lines.push(`  ${st.dim(`certificate valid until ${e.tls.not_after} (${e.tls.version ?? '?'}, alpn ${e.tls.alpn ?? 'none'})`)}`);
  if (e.queue && e.queue.capacity) {
    const left = e.queue.seconds_to_full === null ? 'not filling' : `full in ${Math.round(e.queue.seconds_to_full)} s`;
    lines.push(`  ${st.dim(`queue ${e.queue.size ?? '?'}/${e.queue.capacity} (${left})`)}`);
  }
  return lines;
}

/** The human `check` report: the collector first, then one block per exporter, failing first. */
export function renderReport(d: Diagnosis, st: Style, opts: { noCollector?: boolean } = {}): string {
  const c = d.collector;
  const down = d.exporters.filter(failing).length;
  const out: string[] = [];
  const verdict = d.healthy
    ? st.ok('all healthy')
    : down > 0
      ? st.bad(`${down} of ${d.exporters.length} exporters failing`)
      : st.warn('warnings only');
  out.push(`${st.bold('otel-sentinel check')}  ${verdict}  ${st.dim(d.checked_at)}`, '');
  const head = c.found
    ? `${c.problems.length ? st.warn('WARN') : st.ok('UP')}  ${st.bold('collector')}  ${st.dim(
        `pid ${c.pid}${c.cpu_percent != null ? ` · cpu ${c.cpu_percent}%` : ''} · fds ${c.open_fds ?? '?'}/${c.max_fds ?? '?'} · memory ${mib(c.rss_bytes)} of ${mib(c.memory_limit_bytes)} · OOM kills ${c.oom_kills} · restarts ${c.restarts}`,
      )}`
    : `${st.warn('----')}  ${st.bold('collector')}  ${st.dim(opts.noCollector ? 'not inspected (--no-collector)' : 'process not found')}`;
  out.push(head);
  c.problems.forEach((p) => out.push(...problemLines(p, st)));
  out.push('');
  const ordered = [...d.exporters].sort((a, b) => Number(failing(b)) - Number(failing(a)) || Number(a.up) - Number(b.up) || b.problems.length - a.problems.length);
  if (ordered.length === 0) out.push(st.warn('no OTLP exporter is used by a pipeline of the collector config'), '');
  for (const e of ordered) out.push(...exporterBlock(e, st), '');
  return out.join('\n');
}
