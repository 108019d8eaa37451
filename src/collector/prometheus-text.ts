/**
 * A parser for the Prometheus text exposition format (0.0.4) and the OpenMetrics text format, as
 * much of them as reading a collector's internal metrics needs: samples with labels and values.
 * Written here because the one npm package for it is unmaintained and knows neither OpenMetrics
 * nor escaped label values. It never throws: a line it cannot read is counted and skipped, so one
 * odd metric from some component does not hide the exporter queues.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** ms since the epoch, when the line carries one */
  readonly timestampMs?: number;
}

export interface ParsedExposition {
  readonly samples: Sample[];
  /** metric family -> type, from `# TYPE` lines */
  readonly types: ReadonlyMap<string, string>;
  /** metric family -> help text, from `# HELP` lines (unescaped) */
  readonly help: ReadonlyMap<string, string>;
  /** lines that could not be read (not counting comments and blank lines) */
  readonly invalidLines: number;
  /** the first few unreadable lines, 1-based line number and a reason, for a useful message */
  readonly errors: readonly string[];
}

const MAX_ERRORS = 5;

export interface ParseOptions {
  /** read only samples whose line starts with this (a cheap filter: the rest is not even tokenised) */
  readonly prefix?: string;
}

export function parsePrometheusText(text: string, opts: ParseOptions = {}): ParsedExposition {
  const prefix = opts.prefix ?? '';
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const errors: string[] = [];
  let invalid = 0;
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (/^#\s*EOF\s*$/.test(line)) break; // OpenMetrics: nothing after this counts
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (m) {
        const name = m[2]!;
        const rest = m[3] ?? '';
        if (m[1] === 'TYPE') types.set(name, rest.trim().toLowerCase());
        else help.set(name, unescapeHelp(rest));
      }
      continue;
    }
    if (prefix !== '' && !line.startsWith(prefix)) continue;
    const r = parseSampleLine(line);
    if (typeof r === 'string') {
      invalid++;
      if (errors.length < MAX_ERRORS) errors.push(`line ${k + 1}: ${r}`);
    } else {
      samples.push(r);
    }
  }
  return { samples, types, help, invalidLines: invalid, errors };
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

/** One sample line; returns the reason as a string when the line is not a sample. */
export function parseSampleLine(line: string): Sample | string {
  let i = 0;
  const n = line.length;
  const skipSpace = (): void => {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  };
  skipSpace();
  let name = '';
  if (i < n && NAME_START.test(line[i]!)) {
    const s = i;
    while (i < n && NAME_CHAR.test(line[i]!)) i++;
    name = line.slice(s, i);
  }
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipSpace();
      if (line[i] === '}') {
        i++;
        break;
      }
      let key: string;
      if (line[i] === '"') {
        // quoted name (UTF-8 names in newer Prometheus): the metric name when no `=` follows
        const q = readQuoted(line, i);
        if (typeof q === 'string') return q;
        i = q.next;
        skipSpace();
        if (line[i] !== '=') {
          if (name !== '') return 'two metric names';
          name = q.value;
          if (line[i] === ',') i++;
          continue;
        }
        key = q.value;
      } else {
        if (i >= n || !LABEL_START.test(line[i]!)) return 'bad label name';
        const s = i;
        while (i < n && LABEL_CHAR.test(line[i]!)) i++;
        key = line.slice(s, i);
        skipSpace();
      }
      if (line[i] !== '=') return `no "=" after label ${key}`;
      i++;
      skipSpace();
      const v = readQuoted(line, i);
      if (typeof v === 'string') return v;
      labels[key] = v.value;
      i = v.next;
      skipSpace();
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      return 'expected "," or "}" in labels';
    }
  }
  if (name === '') return 'no metric name';
  if (i < n && line[i] !== ' ' && line[i] !== '\t') return 'bad character in metric name';
  skipSpace();
  const rest = line.slice(i);
  // OpenMetrics exemplars follow the value after " # "
  const hash = rest.indexOf(' #');
  const fields = (hash >= 0 ? rest.slice(0, hash) : rest).trim().split(/[ \t]+/);
  if (fields.length < 1 || fields[0] === '') return 'no value';
  if (fields.length > 2) return 'too many fields after the value';
  const value = parseValue(fields[0]!);
  if (value === null) return `bad value "${fields[0]!.slice(0, 32)}"`;
  if (fields.length === 2) {
    const ts = Number(fields[1]);
    if (!Number.isFinite(ts)) return 'bad timestamp';
    // text format 0.0.4 writes ms integers; OpenMetrics writes seconds, possibly fractional
    const timestampMs = fields[1]!.includes('.') || Math.abs(ts) < 1e11 ? ts * 1000 : ts;
    return { name, labels, value, timestampMs };
  }
  return { name, labels, value };
}

function readQuoted(line: string, i: number): { value: string; next: number } | string {
  if (line[i] !== '"') return 'label value not quoted';
  let out = '';
  let j = i + 1;
  while (j < line.length) {
    const c = line[j]!;
    if (c === '"') return { value: out, next: j + 1 };
    if (c === '\\') {
      const e = line[j + 1];
      if (e === 'n') out += '\n';
      else if (e === '"' || e === '\\') out += e;
      else if (e === undefined) return 'unterminated escape';
      else out += `\\${e}`; // unknown escapes are kept as written, as Prometheus does
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
  return 'unterminated label value';
}

function parseValue(s: string): number | null {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
  }
  // Number() accepts '' , '0x1f' and ' 1 '; Go's ParseFloat (what Prometheus uses) does not
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(n|\\)/g, (_, e: string) => (e === 'n' ? '\n' : '\\'));
}
