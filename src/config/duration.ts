import { quote } from './quote.js';

/**
 * Go's time.ParseDuration, the syntax the collector and our own config use for durations:
 * a sequence of decimal numbers, each with an optional fraction and a required unit
 * (`300ms`, `1.5h`, `2h45m`), or the bare `0`. Returns milliseconds (fractional below 1ms).
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu, also accepted by Go
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const SEGMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

const MAX_MS = 9_223_372_036_854.775; // 2^63-1 ns

export class DurationSyntaxError extends Error {
  override readonly name = 'DurationSyntaxError';
}

export function parseDuration(text: string): number {
  const original = text;
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationSyntaxError(`invalid duration ${quote(original)}`);
  let total = 0;
  while (s !== '') {
    const m = SEGMENT.exec(s);
    if (!m) throw new DurationSyntaxError(`invalid duration ${quote(original)}`);
    const whole = m[1] ?? '';
    const frac = m[2];
    const unit = m[3] ?? '';
    // Go rejects "." and ".s" but accepts ".5s" and "1.s".
    if (whole === '' && (frac === undefined || frac === '')) {
      throw new DurationSyntaxError(`invalid duration ${quote(original)}`);
    }
    // own keys only: "1constructor" is not a duration
    const factor = Object.hasOwn(UNIT_MS, unit) ? UNIT_MS[unit] : undefined;
    if (factor === undefined) {
      throw new DurationSyntaxError(
        unit === '' ? `missing unit in duration ${quote(original)}` : `unknown unit ${quote(unit)} in duration ${quote(original)}`,
      );
    }
    // whole and fraction apart: "26.555s" is 26000 + 555, where 26.555 * 1000 is 26554.999999999996
    total += Number(whole === '' ? '0' : whole) * factor + Number(`0.${frac ?? ''}0`) * factor;
    s = s.slice(m[0].length);
  }
  // Go keeps durations as int64 nanoseconds (about 292 years) and rejects anything longer
  if (!(total <= MAX_MS)) throw new DurationSyntaxError(`invalid duration ${quote(original)}`);
  // whole nanoseconds, as in Go, where a double holds them (below about 104 days); drops float noise
  const rounded = total * 1e6 < Number.MAX_SAFE_INTEGER ? Math.round(total * 1e6) / 1e6 : total;
  return sign * rounded;
}

/** Tells whether a text is a valid duration without throwing. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** A compact Go-style rendering for messages: `1m30s`, `336h`, `500ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) {
    const us = ms * 1000;
    return us >= 1 ? `${round(us)}µs` : `${round(us * 1000)}ns`;
  }
  const parts: string[] = [];
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}m`);
  if (rest > 0) {
    if (rest >= 1000 || parts.length > 0) parts.push(`${round(rest / 1000)}s`);
    else parts.push(`${round(rest)}ms`);
  }
  return parts.join('');
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
