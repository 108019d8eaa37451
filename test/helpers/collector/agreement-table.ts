import type { Scenario } from './agreement-scenarios.js';

/** the collector release test/otelcol builds (go.mod) */
export const RELEASE = 'v0.165.0';

export interface AgreementRow {
  readonly scenario: Scenario;
  readonly collectorUp: boolean;
  readonly sentDelta: number;
  readonly failedDelta: number;
  /** the collector's own last error about the exporter, from its log */
  readonly collectorError: string;
  readonly sentinelUp: boolean | null;
  readonly causes: readonly string[];
  readonly reasons: readonly string[];
}

const BEGIN = '<!-- agreement table: written by test/otelcol-real/agreement.test.ts -->';
const END = '<!-- end of agreement table -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
/** the collector's error without the repeated prefix, short enough for a table */
const shortError = (e: string): string => {
  const text = e
    .replace(/^(no more retries left|not retryable error): (Permanent error: )?/, '')
    .replace(/https?:\/\/127\.0\.0\.1:\d+\/\S*/g, '<url>')
    .replace(/127\.0\.0\.1:\d+/g, '<host:port>')
    .replace(/\s+/g, ' ');
  return text.length > 150 ? `${text.slice(0, 147)}...` : text;
};

/** The markdown table, between its markers. */
export function agreementTable(rows: readonly AgreementRow[]): string {
  const lines = [
    BEGIN,
    `Real collector ${RELEASE} (core ${RELEASE}, stable modules v1.71.0), one exporter per row, spans flowing:`,
    '',
    '| exporter | fault | collector (sent / failed spans in the window) | otel-sentinel | cause (reasons) | agree | the collector\'s last error |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const s = r.scenario;
    const sentinel = r.sentinelUp === null ? 'absent' : r.sentinelUp ? 'up' : 'down';
    const agree = r.sentinelUp === r.collectorUp && (s.cause === null ? r.causes.length === 0 : r.causes.includes(s.cause));
    lines.push(
      `| \`${s.id}\` | ${cell(s.fault)} | ${r.collectorUp ? 'up' : 'down'} (+${r.sentDelta} / +${r.failedDelta}) | ${sentinel} | ${cell(r.causes.join(', ') || '-')}${r.reasons.length ? ` (${cell(r.reasons.join(', '))})` : ''} | ${agree ? 'yes' : '**no**'} | ${cell(r.collectorError ? shortError(r.collectorError) : '-')} |`,
    );
  }
  lines.push(END);
  return `${lines.join('\n')}\n`;
}

/** `doc` with its agreement table replaced by `table` (appended when it has none yet). */
export function spliceTable(doc: string, table: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return `${doc.replace(/\n*$/, '\n\n')}${table}`;
  return doc.slice(0, a) + table + doc.slice(b + END.length + 1);
}
