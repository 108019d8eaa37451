/**
 * The small text parsers of the config layer on random strings: Go durations, listen addresses
 * and env expansion. None may throw anything but its documented error.
 */
import t from 'tap';
import fc from 'fast-check';
import { DurationSyntaxError, formatDuration, parseDuration } from '../../src/config/duration.js';
import { expandText, ExpansionError, MAX_EXPANDED_LENGTH } from '../../src/config/expand-env.js';
import { parseListen } from '../../src/config/parse-listen.js';
import { casesRun, fuzzParams, junkString } from '../helpers/fuzz-kit.js';

/** Go's limit: int64 nanoseconds, in ms. */
const MAX_DURATION_MS = 9_223_372_036_854.775;
const UNITS = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'] as const;
const UNIT_MS: Record<(typeof UNITS)[number], number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const durationish = fc.oneof(
  junkString(30),
  fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'n', 's', 'u', 'µ', 'μ', 'm', 'h', 'e', ' ', 'd'), maxLength: 20 }),
  fc.constantFrom('1constructor', '1__proto__', '1toString', '1valueOf', '1hasOwnProperty', '9'.repeat(400) + 'h', '1e3s', '0x10s', 'Infinityh'),
);

t.test('parseDuration: a finite number within Go limits, or a DurationSyntaxError', async (t) => {
  fc.assert(
    fc.property(durationish, (s) => {
      let ms: number;
      try {
        ms = parseDuration(s);
      } catch (err) {
        if (!(err instanceof DurationSyntaxError)) throw err;
        if (/[\r\n]/.test(err.message) || err.message.length > 400) throw new Error(`unwieldy message: ${err.message.slice(0, 200)}`);
        return true;
      }
      return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DURATION_MS;
    }),
    fuzzParams(3000),
  );
});

t.test('parseDuration reads what Go reads: the sum of its segments', async (t) => {
  const segment = fc.tuple(fc.nat(100_000), fc.option(fc.stringMatching(/^[0-9]{0,6}$/)), fc.constantFrom(...UNITS));
  fc.assert(
    fc.property(fc.constantFrom('', '-', '+'), fc.array(segment, { minLength: 1, maxLength: 4 }), (sign, segments) => {
      const text = sign + segments.map(([w, f, u]) => `${w}${f === null ? '' : `.${f}`}${u}`).join('');
      const expected = (sign === '-' ? -1 : 1) * segments.reduce((sum, [w, f, u]) => sum + Number(`${w}.${f ?? ''}0`) * UNIT_MS[u], 0);
      const got = parseDuration(text);
      // whole nanoseconds, as in Go
      return Math.abs(got - expected) <= 1e-6 + Math.abs(expected) * 1e-12;
    }),
    fuzzParams(1000),
  );
});

t.test('parseDuration(formatDuration(ms)) gives ms back', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 0, max: 9_000_000_000_000 }),
        fc.integer({ min: 0, max: 100 * 3_600_000 }),
        fc.integer({ min: 1, max: 999_999 }).map((us) => us / 1000), // below a second, to the microsecond
      ),
      fc.boolean(),
      (ms, negative) => {
        const v = negative ? -ms : ms;
        const back = parseDuration(formatDuration(v));
        if (back !== v && !(back === 0 && v === 0)) throw new Error(`${v} -> ${formatDuration(v)} -> ${back}`);
        return true;
      },
    ),
    fuzzParams(1500),
  );
});

t.test('parseListen: an address with a port 0..65535, or null; never a throw', async (t) => {
  const listenish = fc.oneof(
    junkString(30),
    fc.tuple(fc.oneof(fc.constantFrom('', '0.0.0.0', 'localhost', '[::1]', '::1', '[', ']', '[::]', 'a b'), junkString(10)), fc.oneof(fc.integer({ min: -10, max: 100_000 }).map(String), junkString(6))).map(([h, p]) => `${h}:${p}`),
  );
  fc.assert(
    fc.property(listenish, (s) => {
      const a = parseListen(s);
      if (a === null) return true;
      return Number.isInteger(a.port) && a.port >= 0 && a.port <= 65535 && typeof a.host === 'string' && !/[\s/]/.test(a.host);
    }),
    fuzzParams(2000),
  );
  const host = fc.oneof(
    fc.ipV4(),
    fc.domain(),
    fc.ipV6().map((h) => `[${h}]`),
  );
  fc.assert(
    fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
      const a = parseListen(`${h}:${port}`);
      return a !== null && a.port === port && a.host === h.replace(/^\[(.*)\]$/, '$1');
    }),
    fuzzParams(500),
  );
});

const NAMES = ['A', 'B', 'HOST', 'constructor', '__proto__', 'toString', '_x1'];
/** An environment built from pairs, so `__proto__` is a variable like any other. */
const envArb = (value: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.constantFrom(...NAMES), value), { maxLength: 5 }).map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

t.test('expandText: a string or an ExpansionError, never longer than the limit', async (t) => {
  const piece = fc.oneof(
    fc.constantFrom('${', '}', '$', '$$', ':', '-', ':-', 'env', 'env:', 'file:', '${env:', '${env:A}', '${A}', '${env:B:-x}', '${env:A:-${env:B}}', '${env:}', '${env:constructor}', '${__proto__}', '${toString}'),
    fc.constantFrom(...NAMES),
    junkString(6),
  );
  const text = fc.array(piece, { maxLength: 10 }).map((p) => p.join(''));
  fc.assert(
    fc.property(text, envArb(text), (s, env) => {
      try {
        const out = expandText(s, env);
        return typeof out === 'string' && out.length <= MAX_EXPANDED_LENGTH && !out.includes('function') && !out.includes('[object');
      } catch (err) {
        if (err instanceof ExpansionError) return true;
        throw err;
      }
    }),
    fuzzParams(2000),
  );
});

t.test('expandText leaves text without "$" as it is, and is idempotent on it', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }).map((s) => s.replace(/\$/g, '')), envArb(fc.string()), (s, env) => {
      const once = expandText(s, env);
      return once === s && expandText(once, env) === once;
    }),
    fuzzParams(1000),
  );
});

t.test('expandText resolves set, unset and defaulted variables as the collector does', async (t) => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
  const plain = fc.string({ maxLength: 12 }).map((s) => s.replace(/[$}]/g, ''));
  fc.assert(
    fc.property(name, fc.option(plain), plain, plain, (n, value, fallback, around) => {
      const env: Record<string, string> = {};
      if (value !== null) Object.defineProperty(env, n, { value, enumerable: true });
      const want = value ?? '';
      const wantDefault = value ?? fallback;
      return (
        expandText(`${around}\${env:${n}}${around}`, env) === `${around}${want}${around}` &&
        expandText(`\${${n}}`, env) === want &&
        expandText(`\${env:${n}:-${fallback}}`, env) === wantDefault &&
        expandText(`$\${env:${n}}`, env) === `\${env:${n}}` // escaped
      );
    }),
    fuzzParams(1000),
  );
});

t.teardown(() => {
  console.log(`# fuzz: ${casesRun()} generated cases in text-parsers`);
});
