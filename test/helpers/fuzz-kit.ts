/**
 * Shared settings for the property tests in test/fuzz: a fixed seed so every run checks the same
 * cases, FUZZ_SEED to explore others and FUZZ_RUNS to run more (or fewer) cases per property.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
}

export const FUZZ_SEED = envInt('FUZZ_SEED') ?? 20_250_917;
const FUZZ_RUNS = envInt('FUZZ_RUNS');

/** How many cases each property ran, summed per test file for its closing comment. */
let cases = 0;
export const casesRun = (): number => cases;

/**
 * fast-check parameters for one property: `defaultRuns` unless FUZZ_RUNS says otherwise. The
 * seed is fixed so a failure reproduces; fast-check's report names the seed and the path.
 */
export function fuzzParams<T>(defaultRuns: number): fc.Parameters<T> {
  const numRuns = FUZZ_RUNS ?? defaultRuns;
  cases += numRuns;
  return { seed: FUZZ_SEED, numRuns };
}

/** One temp dir per test file, removed when the file's tests end. */
export function fuzzDir(t: { teardown(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `otel-sentinel-fuzz-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The longest a ConfigError message may be beyond the file name: one readable line. */
export const MAX_MESSAGE = 600;

/**
 * What every ConfigError must be: naming `where` (the file, or the command line), one line,
 * no stack, and short. Returns a description of the first violation, or '' when it is fine.
 */
export function configErrorViolation(err: unknown, where: readonly string[], maxExtra = MAX_MESSAGE): string {
  if (!(err instanceof ConfigError)) {
    const e = err as Error;
    return `not a ConfigError: ${e?.constructor?.name ?? typeof err}: ${String(e?.stack ?? err).slice(0, 800)}`;
  }
  const m = err.message;
  if (!where.some((w) => m.startsWith(w))) return `message does not start with ${where.join(' or ')}: ${m.slice(0, 300)}`;
  if (/[\r\n\u2028\u2029\u0085]/.test(m)) return `message is not one line: ${JSON.stringify(m.slice(0, 300))}`;
  if (/\bat .+:\d+:\d+\)?$/m.test(m) && m.includes('    at ')) return `message carries a stack: ${m.slice(0, 300)}`;
  const longestWhere = Math.max(...where.map((w) => w.length));
  if (m.length > longestWhere + maxExtra) return `message is ${m.length} characters long: ${m.slice(0, 300)}...`;
  return '';
}

/** Strings that look like numbers, durations or nothing, which loose parsers get wrong. */
export const NUMBERISH = [
  'NaN', '.nan', '-.inf', '.inf', 'Infinity', '-Infinity', '1e999', '-1e999', '0x1f', '0o17', '1_000',
  '99999999999999999999999999', '4.9e-324', '-0', '+0', '00', '1e3', ' 1 ', '', ' ', '~', 'null',
] as const;

/** Keys that are properties of every plain object in JavaScript. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'] as const;

/** Strings mixing unicode, control characters and lone surrogates. */
export const junkString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\n', '\r', '\t', '\u0000', '\u2028', '\ud800', '\udfff', '"', "'", '\\', ':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '$', '-', '?', ' ', 'é', '😀'), maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom(...NUMBERISH, ...PROTO_KEYS) },
  );
