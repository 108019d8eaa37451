/**
 * Inputs the property tests in this directory found to break the config layer, each pinned as a
 * plain example.
 */
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { DurationSyntaxError, formatDuration, parseDuration } from '../../src/config/duration.js';
import { expandText, ExpansionError } from '../../src/config/expand-env.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { MAX_YAML_VALUES } from '../../src/config/read-yaml-file.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { configErrorViolation, fuzzDir } from '../helpers/fuzz-kit.js';

const dir = fuzzDir(t, 'regressions');
let n = 0;
const write = (text: string): string => {
  const f = join(dir, `config-${++n}.yaml`);
  writeFileSync(f, text);
  return f;
};
const SECRET = 'FUZZ-SECRET-9f3a';
const base = loadSentinelConfig(null, {});
const sentinel: SentinelConfig = { ...base, source: '/etc/otel-sentinel/sentinel.yaml' };
const PIPE = (...ids: string[]) => `service:\n  pipelines:\n    traces:\n      exporters: [${ids.join(', ')}]\n`;
const readCollector = (text: string, env: Record<string, string> = {}) => readCollectorConfig({ files: [write(text)], env, sentinel });

type Asserts = Pick<Test, 'equal' | 'fail'>;

/** Runs `fn`, which must throw a proper ConfigError for `file`; returns its message. */
function configError(t: Asserts, fn: () => unknown, file: string): string {
  try {
    fn();
  } catch (err) {
    t.equal(configErrorViolation(err, [file]), '', 'a one-line ConfigError naming the file');
    return (err as Error).message;
  }
  t.fail('expected a ConfigError');
  return '';
}
/** The collector config `text` must be refused with a proper ConfigError; returns its message. */
function collectorError(t: Asserts, text: string, env: Record<string, string> = {}): string {
  const f = write(text);
  return configError(t, () => readCollectorConfig({ files: [f], env, sentinel }), f);
}

t.test('an alias without an anchor is a ConfigError, not a ReferenceError (read-yaml-file.ts)', async (t) => {
  const f = write('log: {level: *undefined}\n');
  t.match(configError(t, () => loadSentinelConfig(f), f), /alias to an anchor that is not defined/);
});

t.test('an alias bomb is a ConfigError (read-yaml-file.ts)', async (t) => {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  const f = write(lines.join('\n'));
  t.match(configError(t, () => loadSentinelConfig(f), f), /alias/i);
});

t.test('aliases within yaml\'s own limit that still expand to millions of values are refused (read-yaml-file.ts)', async (t) => {
  // each anchor is used 999 times, which yaml's maxAliasCount (1000) allows; together 3,000,000 values
  const anchors = [0, 1, 2].map((i) => `a${i}: &a${i} [${Array(1000).fill('x').join(', ')}]`);
  const uses = `b: [${[0, 1, 2].flatMap((i) => Array(999).fill(`*a${i}`)).join(', ')}]`;
  const text = `${anchors.join('\n')}\n${uses}\n`;
  const f = write(text);
  t.match(configError(t, () => loadSentinelConfig(f), f), new RegExp(`more than ${MAX_YAML_VALUES} values`));
  collectorError(t, `${text}${PIPE()}`);
});

t.test('an alias to its own enclosing node is a ConfigError, not endless recursion (read-yaml-file.ts)', async (t) => {
  const f = write('probe:\n  extra_targets:\n    - &t {name: a, type: otlp, self: *t}\n');
  t.match(configError(t, () => loadSentinelConfig(f), f), /alias refers to a node that contains it/);
  const text = `exporters: &e\n  otlp: {endpoint: "a:4317", loop: *e}\n${PIPE('otlp')}`;
  t.match(collectorError(t, text), /contains it/);
});

t.test('values with line breaks or of great length keep the message on one short line (quote.ts, config-error.ts)', async (t) => {
  for (const [text, key] of [
    ['listen: "a\\nb:1"\n', 'listen'],
    [`probe: {mode: "${'x'.repeat(100_000)}"}\n`, 'probe.mode'],
    [`? "bad\\nkey\\u2028${'k'.repeat(10_000)}"\n: 1\n`, 'bad'],
    ['probe: {interval: "1\\ns"}\n', 'probe.interval'],
  ] as const) {
    const f = write(text);
    const m = configError(t, () => loadSentinelConfig(f), f);
    t.ok(m.includes(key), key);
  }
});

t.test('"1constructor" is not a duration, and probe.interval no longer becomes NaN (duration.ts)', async (t) => {
  for (const s of ['1constructor', '1__proto__', '1toString', '2hasOwnProperty']) {
    t.throws(() => parseDuration(s), DurationSyntaxError, s);
  }
  const f = write('probe: {interval: 1constructor}\n');
  t.match(configError(t, () => loadSentinelConfig(f), f), /probe\.interval: expected a duration/);
});

t.test('durations beyond Go\'s int64 nanoseconds are refused instead of becoming Infinity (duration.ts)', async (t) => {
  t.throws(() => parseDuration('99999999999999999999h'), DurationSyntaxError);
  t.throws(() => parseDuration(`${'9'.repeat(400)}h`), DurationSyntaxError);
  t.equal(parseDuration('2562047h'), 2562047 * 3_600_000, 'just below the limit');
  const f = write('thresholds: {cert_expiry: 99999999999999999999h}\n');
  configError(t, () => loadSentinelConfig(f), f);
});

t.test('decimal durations come out exact to the nanosecond (duration.ts)', async (t) => {
  t.equal(parseDuration('1.005s'), 1005);
  t.equal(parseDuration('240290h2m26.555s'), 865044146555);
  t.equal(parseDuration(formatDuration(865044146555)), 865044146555);
  t.equal(parseDuration('1.5us'), 0.0015);
});

t.test('a __proto__ key in a collector config does not reach Object.prototype (merge-config.ts, expand-env.ts)', async (t) => {
  const text = `__proto__:\n  polluted: yes\n  exporters: {otlp: {endpoint: "evil:4317"}}\nexporters:\n  __proto__: {endpoint: "x:1"}\n  otlp: {endpoint: "a:4317"}\n${PIPE('otlp')}`;
  const m = readCollector(text);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  t.same(
    m.exporters.map((e) => [e.name, e.endpoint]),
    [['otlp', 'a:4317']],
  );
});

t.test('${env:constructor} is a variable like any other (expand-env.ts)', async (t) => {
  t.equal(expandText('[${env:constructor}][${toString}][${env:__proto__}]', {}), '[][][]');
  t.equal(expandText('${env:constructor}', { constructor: 'c' }), 'c');
  const m = readCollector(`exporters:\n  otlp: {endpoint: "\${env:constructor}:4317"}\n${PIPE('otlp')}`);
  t.equal(m.exporters[0]?.endpoint, ':4317');
});

t.test('an exporter named constructor or toString is not an OTLP exporter (build-exporter-spec.ts, exporter-kinds.ts, read-collector-config.ts)', async (t) => {
  const undefinedOne = `exporters:\n  otlp: {endpoint: "a:4317"}\n${PIPE('otlp', 'constructor')}`;
  t.match(collectorError(t, undefinedOne), /names exporter "constructor", which is not defined/);
  const m = readCollector(`exporters:\n  constructor: {endpoint: "a:4317"}\n  toString/x: {}\n  otlp: {endpoint: "a:4317"}\n${PIPE('constructor', 'toString/x', 'otlp')}`);
  t.same(
    m.exporters.map((e) => [e.name, e.protocol]),
    [
      ['constructor', 'none'],
      ['toString/x', 'none'],
      ['otlp', 'grpc'],
    ],
  );
});

t.test('an authenticator named constructor does not crash the reader (read-authenticator.ts)', async (t) => {
  for (const id of ['constructor', 'toString/x', 'hasOwnProperty']) {
    const m = readCollector(`extensions:\n  toString/x: {}\nexporters:\n  otlp: {endpoint: "a:4317", auth: {authenticator: ${id}}}\n${PIPE('otlp')}`);
    const reasons = m.exporters[0]?.configProblems.map((p) => p.reason);
    t.ok(reasons?.includes('missing_credentials'), `${id}: ${reasons?.join(', ')}`);
  }
});

t.test('a variable that refers to itself twice is stopped before memory runs out (expand-env.ts)', async (t) => {
  t.throws(() => expandText('${env:A}', { A: '${env:A}${env:A}' }), ExpansionError);
  const m = collectorError(t, `exporters:\n  otlp: {endpoint: "\${env:A}"}\n${PIPE('otlp')}`, { A: 'x${env:A}${env:A}' });
  t.match(m, /exporters\.otlp\.endpoint: the value grows to [\d,]+ characters while expanding, over the limit of 1,048,576/);
});

t.test('a timeout of .nan, .inf or below zero is a ConfigError (build-exporter-spec.ts)', async (t) => {
  for (const v of ['.nan', '.inf', '-1s', '-5', '[1]']) {
    const m = collectorError(t, `exporters:\n  otlp: {endpoint: "a:4317", timeout: ${v}}\n${PIPE('otlp')}`);
    t.match(m, /exporters\.otlp\.timeout: expected a duration/, v);
  }
  t.equal(readCollector(`exporters:\n  otlp: {endpoint: "a:4317", timeout: 0}\n${PIPE('otlp')}`).exporters[0]?.timeoutMs, 0);
});

t.test('a secret inside a longer one is redacted as a whole (build-exporter-spec.ts)', async (t) => {
  const text = `exporters:\n  otlp:\n    endpoint: "http://user:${SECRET} ${SECRET}@localhost:4318"\n    headers: {authorization: "${SECRET} "}\n${PIPE('otlp')}`;
  const e = readCollector(text).exporters[0]!;
  const shown = e.configProblems.map((p) => `${p.message} ${p.fix}`).join(' ');
  t.ok(e.configProblems.length > 0, 'the endpoint is reported');
  t.notMatch(shown, SECRET);
});

t.test('a ConfigError never shows a line break, whatever the key (config-error.ts)', async (t) => {
  const e = new ConfigError('f.yaml', `a\nb${'k'.repeat(1000)}`, 'line\r\nbreak\u2028here');
  t.notMatch(e.message, /[\r\n\u2028]/);
  t.ok(e.message.length < 400);
  t.equal(e.key, `a\nb${'k'.repeat(1000)}`, 'the fields keep what was given');
});
