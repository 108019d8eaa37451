/**
 * No file can crash loadSentinelConfig: whatever the YAML, it returns a frozen, sane config or
 * throws a ConfigError that names the file on one short line.
 */
import t from 'tap';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { LOG_LEVELS, loadSentinelConfig, type SentinelFlags } from '../../src/config/load-sentinel-config.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { casesRun, configErrorViolation, fuzzDir, fuzzParams, junkString, NUMBERISH, PROTO_KEYS } from '../helpers/fuzz-kit.js';
import { damage, picker, RawScalar, renderYaml } from '../helpers/yaml-text.js';

const dir = fuzzDir(t, 'sentinel');
let n = 0;
const write = (content: string | Uint8Array): string => {
  const f = join(dir, `sentinel-${++n}.yaml`);
  writeFileSync(f, content);
  return f;
};

const HASH = '$2b$10$' + 'abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
const COMMAND_LINE = 'command line';

// ---- values: mostly of the right kind, often of the wrong one ----

const raw = (...texts: string[]) => fc.constantFrom(...texts.map((s) => new RawScalar(s)));
const scalarJunk: fc.Arbitrary<unknown> = fc.oneof(
  junkString(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...NUMBERISH),
  raw('.nan', '-.inf', '1e999', '0x7fffffffffffffffff', '!!binary aGVsbG8=', '!!float 1', '!!int x', '*nowhere', '"unterminated', "'", '{', '@at', '`tick', '- a', '? x'),
);

/** Mostly valid values, now and then an edge case that must be refused (or accepted) cleanly. */
const valid = <T, U>(ok: fc.Arbitrary<T>, edge: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 12, arbitrary: ok }, { weight: 1, arbitrary: edge });

const durationText = valid(
  fc.oneof(
    fc.constantFrom('15s', '5s', '1m30s', '500ms', '1.5h', '.5s', '1.s', '2h45m', '300ms', '336h', '1h0m0s'),
    fc.tuple(fc.integer({ min: 1, max: 100000 }), fc.constantFrom('ms', 's', 'm', 'h')).map(([v, u]) => `${v}${u}`),
  ),
  fc.constantFrom('0', '0s', '-1s', '1µs', '1μs', '1ns', '1d', '1constructor', '1__proto__', '1toString', '99999999999999999999h', '1e3s', 'NaN', '∞', '1h-1m', '+5s', '.', 's', '1', 0, 15),
);
const ratio = valid(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.oneof(fc.double(), fc.constantFrom(0, 1.0000001, '0.8', -0.5), raw('.nan', '.inf')));
const integer = valid(fc.integer({ min: 1, max: 100000 }), fc.oneof(fc.integer(), fc.constantFrom(1.5, 1e300, '5', -0, 0, -1), raw('1e999', '0x10')));
const bool = valid(fc.boolean(), fc.oneof(fc.constantFrom('yes', 'true', 1, 0), raw('on', 'True')));
const listen = valid(
  fc.oneof(fc.constantFrom('0.0.0.0:13134', ':9', '[::1]:80', '127.0.0.1:65535', 'localhost:0'), fc.integer({ min: 0, max: 65535 }).map((p) => `127.0.0.1:${p}`)),
  fc.oneof(
    fc.constantFrom('x:65536', '::1:80', 'a b:1', '', 'host:', '[::1]', '[x]:1', 'h:01', 'h/x:1', ':', '[]:1', '[::1]x:1'),
    fc.tuple(junkString(12), fc.integer({ min: -1, max: 70000 })).map(([h, p]) => `${h}:${p}`),
  ),
);
const url = valid(fc.constantFrom('http://127.0.0.1:8888/metrics', 'https://x', 'http://[::1]:1/m', ''), fc.constantFrom('ftp://x', 'http://', 'not a url', 'http://user:pw@h/', 'http:///x'));
const pathList = fc.array(valid(fc.constantFrom('/livez', '/readyz', '/', '/metrics'), fc.oneof(fc.constantFrom('livez', ''), junkString())), { maxLength: 4 });
const strList = fc.array(valid(fc.constantFrom('/etc/otelcol/config.yaml', 'otlp', 'otlp/a', 'a.yaml'), fc.oneof(fc.constant(''), scalarJunk)), { maxLength: 4 });

/**
 * Documents shaped like the sentinel config. `messy`: now and then a value of the wrong kind or a
 * key nobody knows (one is enough to end a load, so they are rare); else only values of the right
 * kind (still often invalid: bad durations, ports, levels), which reach every check and the
 * accepted path.
 */
function sentinelTree(messy: boolean): fc.Arbitrary<unknown> {
  const v = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    messy ? fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: scalarJunk }, { weight: 1, arbitrary: fc.array(scalarJunk, { maxLength: 2 }) }) : good;
  const section = (keys: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> => {
    const known = fc.record(keys, { requiredKeys: [] });
    if (!messy) return known;
    const extra = fc.dictionary(fc.oneof(junkString(12), fc.constantFrom(...PROTO_KEYS, '<<')), scalarJunk, { maxKeys: 1 });
    const withJunk = fc.tuple(known, fc.option(extra, { freq: 30 })).map(([k, e]) => (e ? { ...k, ...e } : k));
    return fc.oneof({ weight: 20, arbitrary: withJunk }, { weight: 1, arbitrary: scalarJunk }, { weight: 1, arbitrary: fc.constant(null) });
  };

  const extraTarget = fc.record(
    {
      name: v(valid(fc.constantFrom('otlp/backup', 'otlp/a', 'a'), fc.constantFrom('', 'otlp/a'))),
      type: v(valid(fc.constantFrom('otlp_grpc', 'otlp_http', 'otlp', 'otlphttp'), fc.constantFrom('zipkin', 'constructor', ''))),
      endpoint: v(fc.constantFrom('localhost:4317', 'http://[::1]:4318', '${env:EP}')),
      headers: v(fc.dictionary(fc.constantFrom('authorization', 'x-key', '__proto__'), fc.string({ maxLength: 8 }), { maxKeys: 2 })),
    },
    { requiredKeys: [] },
  );

  return section({
    listen: v(listen),
    collector: section({
      config_files: v(strList),
      process: section({ pid: v(integer), pid_file: v(fc.constantFrom('/run/otelcol.pid', '')), name: v(fc.constantFrom('otelcol', '')) }),
      telemetry_url: v(url),
      use_process_environment: v(bool),
    }),
    probe: section({
      interval: v(durationText),
      timeout: v(durationText),
      mode: v(valid(fc.constantFrom('export', 'handshake'), fc.constantFrom('EXPORT', ''))),
      exporters: v(strList),
      extra_targets: v(fc.array(valid(extraTarget, scalarJunk), { maxLength: 3 })),
    }),
    thresholds: section({ fd_ratio: v(ratio), memory_ratio: v(ratio), cert_expiry: v(durationText), slow_response: v(durationText), queue_ratio: v(ratio) }),
    log: section({ level: v(valid(fc.constantFrom(...LOG_LEVELS), fc.constantFrom('INFO', 'verbose', ''))) }),
    web: section({
      tls_cert_file: v(fc.constantFrom('/etc/cert.pem', '')),
      tls_key_file: v(fc.constantFrom('/etc/key.pem', '')),
      basic_auth_users: v(fc.dictionary(valid(fc.constantFrom('admin', 'ops'), fc.oneof(fc.constantFrom('__proto__', 'constructor'), junkString(10))), valid(fc.constant(HASH), fc.oneof(fc.constant('plain-password'), scalarJunk)), { maxKeys: 3 })),
      unauthenticated_paths: v(pathList),
      enable_lifecycle: v(bool),
      max_connections: v(integer),
    }),
  });
}

/** A generic tree of maps, lists and scalars with keys real and made up. */
const anyKey = fc.oneof(
  fc.constantFrom('listen', 'collector', 'probe', 'thresholds', 'log', 'web', 'process', 'interval', 'extra_targets', 'level', '<<', ...PROTO_KEYS),
  junkString(16),
);
const { tree: junkTree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarJunk,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(anyKey, tie('tree'), { maxKeys: 4 }),
  ),
}));

const flagsArb: fc.Arbitrary<SentinelFlags> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      { listen: fc.oneof(listen, junkString()), collectorConfigFiles: fc.array(fc.constantFrom('/a.yaml', ''), { maxLength: 2 }), logLevel: fc.oneof(fc.constantFrom(...LOG_LEVELS), junkString(8)) },
      { requiredKeys: [] },
    ),
  },
);

// ---- what must hold ----

function isDeepFrozen(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  return Object.isFrozen(v) && Object.values(v).every((x) => isDeepFrozen(x, seen));
}

/** Returns what is wrong with a config the loader accepted, or ''. */
function configViolation(c: SentinelConfig): string {
  const fin = (x: number) => typeof x === 'number' && Number.isFinite(x);
  if (!isDeepFrozen(c)) return 'not deeply frozen';
  if (!Number.isInteger(c.listen.port) || c.listen.port < 0 || c.listen.port > 65535) return `listen.port ${c.listen.port}`;
  if (typeof c.listen.host !== 'string' || /\s/.test(c.listen.host)) return `listen.host ${JSON.stringify(c.listen.host)}`;
  const p = c.probe;
  if (!fin(p.intervalMs) || p.intervalMs <= 0) return `probe.intervalMs ${p.intervalMs}`;
  if (!fin(p.timeoutMs) || p.timeoutMs <= 0 || p.timeoutMs > p.intervalMs) return `probe.timeoutMs ${p.timeoutMs} (interval ${p.intervalMs})`;
  if (p.mode !== 'export' && p.mode !== 'handshake') return `probe.mode ${p.mode}`;
  if (!p.exporters.every((e) => typeof e === 'string' && e !== '')) return 'probe.exporters';
  for (const x of p.extraTargets) if (typeof x.name !== 'string' || x.name === '' || typeof x.type !== 'string') return 'extra target without name or type';
  const th = c.thresholds;
  for (const r of [th.fdRatio, th.memoryRatio, th.queueRatio]) if (!fin(r) || r <= 0 || r > 1) return `ratio ${r}`;
  for (const d of [th.certExpiryMs, th.slowResponseMs]) if (!fin(d) || d < 0) return `threshold duration ${d}`;
  if (!(LOG_LEVELS as readonly string[]).includes(c.log.level)) return `log.level ${c.log.level}`;
  if (!c.collector.configFiles.every((f) => typeof f === 'string' && f !== '')) return 'collector.config_files';
  if (!Number.isInteger(c.collector.process.pid) || c.collector.process.pid < 0) return `pid ${c.collector.process.pid}`;
  if (!Number.isInteger(c.web.maxConnections) || c.web.maxConnections < 1) return `max_connections ${c.web.maxConnections}`;
  if (!c.web.unauthenticatedPaths.every((x) => x.startsWith('/'))) return 'unauthenticated_paths';
  for (const h of Object.values(c.web.basicAuthUsers)) if (!h.startsWith('$2')) return 'basic_auth_users value is not a hash';
  if ((c.web.tlsCertFile === '') !== (c.web.tlsKeyFile === '')) return 'one of tls_cert_file, tls_key_file';
  return '';
}

/** Loads `content` as a file; returns what went wrong, or '' for a sane config or a proper ConfigError. */
function check(content: string | Uint8Array, flags: SentinelFlags = {}): string {
  const file = write(content);
  let c: SentinelConfig;
  try {
    c = loadSentinelConfig(file, flags);
  } catch (err) {
    const where = err instanceof ConfigError && err.file === COMMAND_LINE ? [COMMAND_LINE] : [file];
    return configErrorViolation(err, where);
  }
  const bad = configViolation(c);
  return bad === '' ? '' : `accepted but ${bad}`;
}

const holds = (why: string): boolean => {
  if (why !== '') throw new Error(why);
  return true;
};

t.test('schema-shaped documents with values of the right kind', async (t) => {
  fc.assert(
    fc.property(sentinelTree(false), fc.gen(), (tree, g) => holds(check(renderYaml(tree, picker(g), { clean: true })))),
    fuzzParams(1000),
  );
  t.pass('every document gave a sane config or a ConfigError');
});

t.test('schema-shaped documents with wrong types, junk keys, anchors, aliases and damage', async (t) => {
  fc.assert(
    fc.property(sentinelTree(true), flagsArb, fc.gen(), (tree, flags, g) => {
      const pick = picker(g);
      return holds(check(damage(renderYaml(tree, pick), pick), flags));
    }),
    fuzzParams(1000),
  );
  t.pass('every document gave a sane config or a ConfigError');
});

t.test('arbitrary trees of maps, lists and scalars', async (t) => {
  fc.assert(
    fc.property(junkTree, fc.gen(), (tree, g) => {
      const pick = picker(g);
      return holds(check(damage(renderYaml(tree, pick), pick)));
    }),
    fuzzParams(1000),
  );
  t.pass('every tree gave a sane config or a ConfigError');
});

t.test('random bytes and random text', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '\t', '-', '[', ']', '{', '}', ',', '&a', '*a', '<<', '"', "'", '#', '|', '>', '!', '%', '?', '---', '...', 'probe', 'listen'), maxLength: 200 }),
      ),
      (content) => holds(check(content)),
    ),
    fuzzParams(1000),
  );
  t.pass('every input gave a sane config or a ConfigError');
});

const DEEP_FORMS = ['seq', 'map', 'block', 'under-key', 'extra-target'] as const;
function deepDocument(form: (typeof DEEP_FORMS)[number], depth: number): string {
  switch (form) {
    case 'seq':
      return '['.repeat(depth) + ']'.repeat(depth);
    case 'map':
      return `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'block': {
      const d = Math.min(depth, 800); // indentation grows with the square of the depth
      return `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1`;
    }
    case 'under-key':
      return `probe:\n  exporters: ${'['.repeat(depth)}${']'.repeat(depth)}`;
    case 'extra-target':
      return `probe:\n  extra_targets:\n    - name: deep\n      type: otlp\n      x: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  }
}

t.test('deep nesting, up to 5,000 levels', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...DEEP_FORMS), fc.oneof(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1200, max: 5000 })), (form, depth) =>
      holds(check(deepDocument(form, depth))),
    ),
    fuzzParams(40),
  );
  for (const form of DEEP_FORMS) t.equal(check(deepDocument(form, 5000)), '', `${form} at 5,000 levels`);
});

/** `levels` anchors, each a list of `width` aliases to the one before: width^levels values. */
function aliasBomb(width: number, levels: number, where: 'top' | 'exporters' | 'extra'): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  const last = `*l${levels - 1}`;
  if (where === 'top') return lines.join('\n');
  const defs = `x-defs:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  if (where === 'exporters') return `${defs}\nprobe:\n  exporters: ${last}`;
  return `${defs}\nprobe:\n  extra_targets:\n    - {name: bomb, type: otlp, x: ${last}}`;
}

t.test('alias bombs ("billion laughs") are rejected as ConfigErrors', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('top', 'exporters', 'extra') as fc.Arbitrary<'top' | 'exporters' | 'extra'>, (w, l, where) =>
      holds(check(aliasBomb(w, l, where))),
    ),
    fuzzParams(150),
  );
  // 10^9 strings if expanded: must fail, and as a ConfigError that says why
  const file = write(aliasBomb(10, 9, 'extra'));
  const err = t.throws(() => loadSentinelConfig(file, {}));
  t.ok(err instanceof ConfigError, 'a ConfigError');
  t.equal(configErrorViolation(err, [file]), '');
  t.match((err as Error).message, /alias/i);
});

t.test('very long strings and keys', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom('listen', 'probe.interval', 'probe.mode', 'log.level', 'key', 'paths', 'target'), fc.constantFrom('x', 'é', '\n', '${'), (len, where, ch) => {
      const s = JSON.stringify(ch.repeat(len));
      const docs: Record<string, string> = {
        listen: `listen: ${s}`,
        'probe.interval': `probe:\n  interval: ${s}`,
        'probe.mode': `probe: {mode: ${s}}`,
        'log.level': `log:\n  level: ${s}`,
        key: `${s}: 1`,
        paths: `web:\n  unauthenticated_paths: [${s}]`,
        target: `probe:\n  extra_targets: [{name: ${s}, type: ${s}}]`,
      };
      return holds(check(docs[where]!));
    }),
    fuzzParams(40),
  );
  t.pass('long values gave short messages');
});

t.test('multiple documents, BOM, tabs and merge keys', async (t) => {
  const cases = [
    'listen: ":1"\n---\nlisten: ":2"\n',
    '\uFEFFlog:\n  level: debug\n',
    'log:\n\tlevel: debug\n',
    'base: &b {level: debug}\nlog:\n  <<: *b\n',
    'log: &l\n  level: info\nweb:\n  <<: *l\n',
    'probe: &p\n  extra_targets:\n    - &t {name: a, type: otlp, self: *t}\n',
    'probe:\n  extra_targets:\n    - &t {name: a, type: otlp, list: [*t]}\n',
    '%YAML 1.1\n---\nlog: {level: info}\n',
    'log: {level: info}\n...\n---\n',
    '? [a, b]\n: 1\n',
    '!!set {a, b}',
    'log: !!binary aGVsbG8=',
    'log: {level: *undefined}',
  ];
  for (const c of cases) t.equal(check(c), '', JSON.stringify(c.slice(0, 40)));
});

t.teardown(() => {
  // the number of generated cases in this file, for docs/reliability.md
  console.log(`# fuzz: ${casesRun()} generated cases in load-sentinel-config`);
});
