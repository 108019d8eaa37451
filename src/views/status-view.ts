import type { CollectorDiagnosis, Diagnosis, ExporterDiagnosis, PhaseEntry } from '../diagnose/diagnosis.js';
import type { Problem } from '../diagnose/problem.js';
import type { State } from '../diagnose/state.js';
import type { ProtocolTraits } from '../config/protocols.js';

/** What the status page reads of a protocol's traits. */
export type ProtocolView = Pick<ProtocolTraits, 'label' | 'probed'>;

/** What the status page shows for an exporter or the collector: the diagnosis' own state. */
export type ViewState = State;

export interface StatusView {
  /** the inner HTML of `<div id="app">`; `staleSince` (epoch ms) marks data the page could not refresh */
  renderApp(d: Diagnosis | null, nowMs: number, staleSince: number | null): string;
  /** the document title */
  title(d: Diagnosis | null): string;
  /** the worst state on the page, for the favicon */
  overall(d: Diagnosis | null): ViewState;
  escape(value: unknown): string;
}

/**
 * The status page's renderer, shared by the server (first paint, and the page without script)
 * and the browser (refresh from /api/v1/diagnosis): the browser gets this very function's source
 * text (see status-script.ts), so it must stay self-contained: no imports used at run time, no
 * reference to anything outside its body. It only displays the diagnosis; every state shown is
 * the diagnosis' own `state` (decided in src/diagnose/state.ts), never worked out here. `phases`
 * is the list of probe phases (PHASES of src/diagnose/diagnosis.ts) and `protocols` the protocol
 * table (PROTOCOLS of src/config/protocols.ts), handed in for that reason.
 */
export function statusView(phases: readonly PhaseEntry[], protocols: Readonly<Record<string, ProtocolView>>): StatusView {
  const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
  const protocolOf = (name: string): ProtocolView | undefined =>
    Object.prototype.hasOwnProperty.call(protocols, name) ? protocols[name] : undefined;
  /** Escaped text whose `backticked` spans become <code>; a backtick without its pair stays as written. */
  const prose = (value: unknown): string => {
    const parts = String(value).split('`');
    let out = '';
    parts.forEach((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1) out += `<code>${esc(part)}</code>`;
      else out += (i % 2 === 1 ? '`' : '') + esc(part);
    });
    return out;
  };

  /**
   * The collector's real traffic through an exporter in one line (as `check` writes it: the same
   * words as trafficText() in src/collector/traffic.ts). Written here because status.js runs this
   * function's own source in the browser, where no import reaches.
   */
  const trafficLine = (tr: NonNullable<ExporterDiagnosis['traffic']>): string => {
    const r = (v: number | null): string => (v === null ? '?' : `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}/s`);
    const parts = [`sent ${r(tr.sent_per_second)}`, `failed ${r(tr.failed_per_second)}`];
    if (tr.error_types.length > 0) {
      parts.push(tr.error_types.map((x) => `${x.error_type}${x.permanent === true ? ' (permanent)' : ''} ${r(x.per_second)}`).join(', '));
    }
    if ((tr.lost_per_second ?? 0) > 0) parts.push(`lost ${r(tr.lost_per_second)}`);
    if (tr.in_flight !== null) parts.push(`${tr.in_flight} in flight`);
    return parts.join(' · ');
  };

  const STATE_TEXT: Record<ViewState, string> = { down: 'DOWN', warn: 'WARN', up: 'UP', pending: 'PENDING' };
  const RANK: Record<ViewState, number> = { down: 0, warn: 1, pending: 2, up: 3 };

  const overall = (d: Diagnosis | null): ViewState => (d ? d.state : 'pending');

  const pad = (n: number): string => String(n).padStart(2, '0');
  const absolute = (ms: number): string => {
    const t = new Date(ms);
    return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} UTC`;
  };
  const span = (seconds: number): string => {
    const s = Math.abs(seconds);
    if (s < 90) return `${Math.round(s)} s`;
    if (s < 90 * 60) return `${Math.round(s / 60)} min`;
    if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} d`;
  };
  const relative = (ms: number, nowMs: number): string => {
    const seconds = (nowMs - ms) / 1000;
    if (Math.abs(seconds) < 1.5) return 'just now';
    return seconds >= 0 ? `${span(seconds)} ago` : `in ${span(seconds)}`;
  };
  /** a `<time>` element for an ISO timestamp, or `fallback` */
  const time = (iso: string | null, nowMs: number, fallback: string): string => {
    const ms = iso ? Date.parse(iso) : NaN;
    if (!Number.isFinite(ms)) return esc(fallback);
    return `<time datetime="${esc(iso)}" title="${esc(absolute(ms))}">${esc(relative(ms, nowMs))}</time>`;
  };
  const seconds = (v: number | null | undefined): string => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
    if (v < 0.001) return `${(v * 1e6).toFixed(0)} µs`;
    if (v < 1) return `${(v * 1000).toFixed(v < 0.01 ? 1 : 0)} ms`;
    return `${v.toFixed(2)} s`;
  };
  const bytes = (v: number | null): string => {
    if (v === null || !Number.isFinite(v)) return '?';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let n = v;
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
  };
  const count = (v: number | null): string => (v === null || !Number.isFinite(v) ? '?' : v.toLocaleString('en-US'));
  const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %`;
  const meter = (used: number | null, limit: number | null): string => {
    if (used === null || limit === null || !(limit > 0)) return '';
    const ratio = Math.min(Math.max(used / limit, 0), 1);
    return `<meter min="0" max="1" value="${ratio.toFixed(4)}">${esc(percent(ratio))}</meter>`;
  };
  const badge = (s: ViewState): string => `<span class="badge b-${s}">${STATE_TEXT[s]}</span>`;
  const fact = (label: string, valueHtml: string): string =>
    `<div class="fact"><dt>${esc(label)}</dt><dd>${valueHtml}</dd></div>`;

  const problemList = (problems: readonly Problem[]): string => {
    if (problems.length === 0) return '';
    const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
    const items = sorted.map(
      (p) =>
        `<li class="problem p-${p.severity === 'critical' ? 'critical' : 'warning'}">` +
        `<div class="ptitle"><span class="sev">${esc(p.severity)}</span> <span class="cause">${esc(p.cause)}</span>` +
        ` <code class="reason">${esc(p.reason)}</code></div>` +
        `<p class="msg">${prose(p.message)}</p>` +
        `<p class="fix"><span class="fixlabel">Fix</span> ${prose(p.fix)}</p></li>`,
    );
    return `<ul class="problems">${items.join('')}</ul>`;
  };

  const collectorCard = (c: CollectorDiagnosis): string => {
    const s = c.state;
    const facts = [
      fact('Process', c.found ? `found${c.pid === null ? '' : `, pid ${esc(c.pid)}`}` : 'not found'),
      fact('Open files', `${esc(count(c.open_fds))} / ${esc(count(c.max_fds))} ${meter(c.open_fds, c.max_fds)}`),
      fact('Memory', `${esc(bytes(c.rss_bytes))} / ${esc(bytes(c.memory_limit_bytes))} ${meter(c.rss_bytes, c.memory_limit_bytes)}`),
      fact('OOM kills', esc(count(c.oom_kills))),
      fact('Restarts', esc(count(c.restarts))),
    ];
    return (
      `<section class="card s-${s}" id="collector" aria-label="collector">` +
      `<div class="head">${badge(s)}<h2 class="name">Collector</h2></div>` +
      problemList(c.problems) +
      `<dl class="facts">${facts.join('')}</dl></section>`
    );
  };

  const exporterCard = (e: ExporterDiagnosis, nowMs: number): string => {
    const s = e.state;
    const facts = [
      fact('Last success', time(e.last_success_at, nowMs, 'never')),
      fact('Checked', time(e.checked_at, nowMs, 'not yet')),
    ];
    // fields added later may be absent from an older daemon's answer
    const signals = Array.isArray(e.signals) ? e.signals : null;
    if (e.signal) facts.push(fact('Probed', `${esc(e.signal)}${signals && signals.length > 1 ? ` (carries ${esc(signals.join(', '))})` : ''}`));
    else if (signals && signals.length > 0) facts.push(fact('Carries', esc(signals.join(', '))));
    if (e.note) facts.push(fact('Note', esc(e.note)));
    const sources = Array.isArray(e.value_sources) ? e.value_sources : [];
    if (sources.length > 0) {
      const FROM: Record<string, string> = {
        collector: "the collector's environment",
        sidecar: "otel-sentinel's environment",
        default: 'its default (unset)',
        unset: 'nothing (unset)',
        file: 'the file',
        unreadable: 'a file otel-sentinel cannot read',
      };
      facts.push(fact('Values', sources.map((v) => `<code>${esc(v.key)}</code> from ${esc(FROM[v.from] ?? v.from)}`).join('<br>')));
    }
    if (e.checked_at !== null) {
      // Only phases that ran: where a failing probe stopped shows as the end of the list.
      const parts = phases
        .map((p) => [p.label, e.phases[p.key]] as const)
        .filter(([, v]) => typeof v === 'number')
        .map(([label, v]) => `<span class="phase">${esc(label)} ${esc(seconds(v))}</span>`);
      facts.push(fact('Phases', parts.length > 0 ? parts.join(' ') : 'none ran'));
    }
    // absent from documents of older versions
    if (e.proxy) {
      const how = e.proxy.mode === 'forward' ? 'absolute-form requests' : 'CONNECT tunnel';
      facts.push(fact('Proxy', `<code>${esc(e.proxy.url)}</code> from ${esc(e.proxy.source)} · ${esc(how)}`));
    }
    if (e.tls) {
      const bits = [e.tls.version, e.tls.alpn].filter((b): b is string => typeof b === 'string' && b !== '').map(esc);
      const notAfter = e.tls.not_after ? Date.parse(e.tls.not_after) : NaN;
      if (Number.isFinite(notAfter)) {
        bits.push(`<span class="nowrap">expires ${esc(absolute(notAfter).slice(0, 10))}</span> <span class="nowrap">(${time(e.tls.not_after, nowMs, '')})</span>`);
      }
      if (bits.length > 0) facts.push(fact('TLS', bits.join(' · ')));
    }
    const q = e.queue;
    if (q && (q.size !== null || q.capacity !== null)) {
      const hasRatio = q.size !== null && q.capacity !== null && q.capacity > 0;
      let text = `${esc(count(q.size))} / ${esc(count(q.capacity))}${q.unit ? ` ${esc(q.unit)}` : ''}`;
      if (hasRatio) text += ` (${esc(percent((q.size as number) / (q.capacity as number)))})`;
      if (q.seconds_to_full !== null) text += ` · full in ${esc(span(q.seconds_to_full))}`;
      facts.push(fact('Queue', `${text} ${meter(q.size, q.capacity)}`));
    }
    if (e.traffic) facts.push(fact('Traffic', esc(trafficLine(e.traffic))));
    return (
      `<article class="card s-${s}" data-exporter="${esc(e.name)}">` +
      `<div class="head">${badge(s)}<h3 class="name">${esc(e.name)}</h3>` +
      `<span class="kind">${esc(e.type)} · ${esc(protocolOf(e.protocol)?.label ?? 'not probed')}</span></div>` +
      `<div class="endpoint"><code>${e.endpoint ? esc(e.endpoint) : protocolOf(e.protocol)?.probed === false ? '(not probed)' : '(no endpoint)'}</code></div>` +
      problemList(e.problems) +
      `<dl class="facts">${facts.join('')}</dl></article>`
    );
  };

  const summaryLine = (d: Diagnosis): string => {
    const counts: Record<ViewState, number> = { down: 0, warn: 0, up: 0, pending: 0 };
    for (const e of d.exporters) counts[e.state]++;
    const parts: string[] = [];
    if (counts.down) parts.push(`${counts.down} down`);
    if (counts.warn) parts.push(`${counts.warn} warning${counts.warn === 1 ? '' : 's'}`);
    if (counts.pending) parts.push(`${counts.pending} pending`);
    parts.push(`${counts.up} up`);
    return `${d.exporters.length} exporter${d.exporters.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
  };

  const renderApp = (d: Diagnosis | null, nowMs: number, staleSince: number | null): string => {
    const s = overall(d);
    const stale =
      staleSince === null
        ? ''
        : `<p class="stale" role="alert">Cannot reach otel-sentinel; showing what it said ${esc(relative(staleSince, nowMs))}.</p>`;
    if (!d) {
      return (
        `<header class="top s-pending"><h1>otel-sentinel</h1><p class="summary">${badge('pending')} ` +
        `Waiting for the first probe round…</p></header>${stale}` +
        `<main><p class="empty">No diagnosis yet. This page fills in as soon as the first round of probes has finished.</p></main>`
      );
    }
    const exporters = [...d.exporters].sort((a, b) => {
      const r = RANK[a.state] - RANK[b.state];
      return r !== 0 ? r : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    const cards = exporters.map((e) => exporterCard(e, nowMs)).join('');
    return (
      `<header class="top s-${s}"><h1>otel-sentinel</h1>` +
      `<p class="summary">${badge(s)} ${esc(summaryLine(d))}</p>` +
      `<p class="checked">Checked ${time(d.checked_at, nowMs, 'never')}</p></header>${stale}` +
      `<main>${collectorCard(d.collector)}` +
      `<h2 class="section">Exporters</h2>` +
      (cards || '<p class="empty">No OTLP exporter is used by a pipeline of the collector.</p>') +
      `</main>`
    );
  };

  const title = (d: Diagnosis | null): string => {
    const s = overall(d);
    return s === 'up' || s === 'pending' ? 'otel-sentinel' : `${STATE_TEXT[s]} · otel-sentinel`;
  };

  return { renderApp, title, overall, escape: esc };
}

