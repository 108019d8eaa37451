/**
 * No collector config can crash readCollectorConfig: random collector-shaped files (several,
 * merged), env references in every position and random environments give a CollectorModel whose
 * exporters and problems are well formed, or a ConfigError; and a secret never reaches a message.
 */
import t from 'tap';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import type { CollectorModel } from '../../src/config/collector-model.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import type { SentinelConfig } from '../../src/config/sentinel-config.js';
import { reasonSpec } from '../../src/diagnose/catalogue.js';
import { CAUSES } from '../../src/diagnose/problem.js';
import { casesRun, configErrorViolation, fuzzDir, fuzzParams, junkString, NUMBERISH, PROTO_KEYS } from '../helpers/fuzz-kit.js';
import { damage, picker, RawScalar, renderYaml } from '../helpers/yaml-text.js';

const SECRET = 'FUZZ-SECRET-9f3a';
const SENTINEL_FILE = '/etc/otel-sentinel/sentinel.yaml';

const dir = fuzzDir(t, 'collector');
let n = 0;
const write = (text: string): string => {
  const f = join(dir, `collector-${++n}.yaml`);
  writeFileSync(f, text);
  return f;
};
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, `\n  ${SECRET}  \nsecond line\n`);
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '');
const aDirectory = join(dir, 'a-directory');
mkdirSync(aDirectory);
const FILES = [tokenFile, emptyFile, aDirectory, join(dir, 'missing'), ''];

// ---- text with env references: plain positions and secret positions ----

/** Variables whose values are not secret; they may hold anything, references included. */
const PLAIN_VARS = ['HOST', 'PORT', 'P1', 'P2', 'constructor', '__proto__', 'toString'];
/** Variables holding the secret; referenced only from positions whose value is a secret. */
const SECRET_VARS = ['S_TOKEN', 'S_PASS'];

/** Text with references the collector accepts: plain, `env:`, defaults, nested, escaped. */
const cleanFragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('localhost', '127.0.0.1', '[::1]', '4317', '4318', 'http://', 'https://', 'dns:///', ':', '/', '/v1/traces', 'x', ' ', 'é') },
  { weight: 2, arbitrary: fc.constantFrom(...PLAIN_VARS, 'UNSET').map((v) => `\${env:${v}}`) },
  { weight: 1, arbitrary: fc.constantFrom('${HOST}', '${env:PORT:-4317}', '${env:UNSET:-4318}', '${env:UNSET:-}', '$$', '$${env:HOST}', '$$${env:HOST}', '$', '${env:HOST:-${env:PORT}}', '$HOST', '${file:/etc/x}') },
);
/** Text the collector refuses or reads oddly: malformed, invalid names, self-nesting. */
const wildFragment = fc.oneof(
  fc.constantFrom('bad name', '', '9X', 'A-B').map((v) => `\${env:${v}}`),
  fc.constantFrom('${', '}', '${env:}', '${env:${env:P1}}', '${env:P${env:P2}}', '${http://x}', '${:x}', '${env:UNSET:-a}b}', '${env:HOST}}', '${env:UNSET:-$x}'),
  junkString(8),
);
const cleanText = fc.array(cleanFragment, { maxLength: 6 }).map((parts) => parts.join(''));
const wildText = fc.array(fc.oneof({ weight: 3, arbitrary: cleanFragment }, { weight: 1, arbitrary: wildFragment }), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
/** A value in a position that is not secret: mostly what the collector accepts (one bad reference ends the load). */
const plainText = fc.oneof({ weight: 150, arbitrary: cleanText }, { weight: 1, arbitrary: wildText });

const secretFragment = fc.oneof(
  { weight: 3, arbitrary: fc.constant(SECRET) },
  { weight: 2, arbitrary: fc.constantFrom('${env:S_TOKEN}', '${S_TOKEN}', '${env:S_PASS}', `\${env:S_UNSET:-${SECRET}}`, '${env:S_UNSET}') },
  { weight: 1, arbitrary: fc.constantFrom('Bearer ', 'Basic ', 'x', '$$', ' ') },
);
const secretText = fc.array(secretFragment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

/** A variable's value: mostly literal; now and then references, to others or to itself. */
const envValue = fc.oneof(
  { weight: 12, arbitrary: fc.array(fc.constantFrom('localhost', '127.0.0.1', '4317', '4318', 'http://', 'https://', ':', '/', 'x', ' ', '$$', '$'), { maxLength: 4 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: plainText },
  { weight: 1, arbitrary: fc.oneof({ weight: 4, arbitrary: plainText }, { weight: 1, arbitrary: wildText }) },
);

/** An environment; built from pairs, so `__proto__` is a variable like any other. */
const env = fc
  .tuple(
    fc.option(envValue),
    fc.option(fc.oneof(fc.constantFrom('4317', '4318', '0', '65536', ''), envValue)),
    fc.option(envValue),
    fc.option(fc.constantFrom('1', 'ORT', '', '${env:P1}', '${')),
    fc.option(envValue),
    fc.option(envValue),
    fc.option(envValue),
    fc.option(fc.constantFrom(SECRET, `Bearer ${SECRET}`, '')),
    fc.option(fc.constant(SECRET)),
  )
  .map((values) => {
    const names = [...PLAIN_VARS, ...SECRET_VARS];
    return Object.fromEntries(values.flatMap((v, i) => (v === null ? [] : [[names[i]!, v]]))) as Record<string, string>;
  });

// ---- collector documents ----

const raw = (...texts: string[]) => fc.constantFrom(...texts.map((s) => new RawScalar(s)));
const scalarJunk: fc.Arbitrary<unknown> = fc.oneof(junkString(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(...NUMBERISH), raw('.nan', '.inf', '1e999'));
const sometimes = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: scalarJunk });

const EXPORTER_TYPES = ['otlp', 'otlp_grpc', 'otlphttp', 'otlp_http', 'debug', 'prometheusremotewrite', ...PROTO_KEYS];
const exporterId = fc.tuple(fc.constantFrom(...EXPORTER_TYPES), fc.constantFrom('', '', '/a', '/b', '/tempo', '/constructor', '/__proto__', '/')).map(([ty, name]) => `${ty}${name}`);
const EXTENSION_IDS = ['bearertokenauth', 'bearertokenauth/t', 'basicauth/b', 'headers_setter/h', 'oauth2client', 'constructor', '__proto__', 'toString/x', 'nothere'];

const userinfoUrl = fc.tuple(fc.constantFrom('http://', 'https://'), fc.constantFrom('user', ''), secretText, fc.constantFrom('localhost:4318', '[::1]:4317', 'h')).map(
  ([scheme, user, pw, host]) => `${scheme}${user}:${pw}@${host}`,
);

const tlsBlock = fc.record(
  {
    insecure: sometimes(fc.oneof(fc.boolean(), fc.constantFrom('${env:P1}', 'true'))),
    insecure_skip_verify: sometimes(fc.boolean()),
    ca_file: sometimes(fc.oneof(fc.constantFrom(...FILES), plainText)),
    cert_file: sometimes(fc.constantFrom(...FILES)),
    key_file: sometimes(fc.constantFrom(...FILES)),
    key_pem: sometimes(secretText.map((s) => `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`)),
    cert_pem: sometimes(fc.constantFrom('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'not a pem', '')),
    ca_pem: sometimes(fc.constantFrom('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', '')),
    server_name_override: sometimes(plainText),
    min_version: sometimes(fc.constantFrom('1.2', '1.3', '9')),
  },
  { requiredKeys: [] },
);

const exporterBlock = fc.record(
  {
    endpoint: sometimes(fc.oneof({ weight: 4, arbitrary: plainText }, { weight: 1, arbitrary: userinfoUrl })),
    traces_endpoint: sometimes(fc.oneof(plainText, userinfoUrl)),
    proxy_url: sometimes(fc.oneof(plainText, userinfoUrl)),
    tls: sometimes(tlsBlock),
    headers: sometimes(fc.dictionary(fc.constantFrom('authorization', 'x-api-key', 'X-Scope-OrgID', '__proto__', 'constructor', ''), secretText, { maxKeys: 3 })),
    auth: sometimes(fc.record({ authenticator: sometimes(fc.constantFrom(...EXTENSION_IDS)) }, { requiredKeys: [] })),
    timeout: sometimes(
      fc.oneof(
        { weight: 20, arbitrary: fc.oneof(fc.constantFrom('5s', '10s', '0', '1m30s', '${env:UNSET:-5s}'), fc.nat()) },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom('-1s', '1constructor', 'x', '99999999999999999999h'), fc.integer(), plainText, raw('.nan', '.inf', '-.inf', '1e999')) },
      ),
    ),
    compression: sometimes(fc.oneof(fc.constantFrom('gzip', 'none', 'zstd'), plainText)),
  },
  { requiredKeys: [] },
);

const extensionBlock = fc.oneof(
  fc.record({ token: sometimes(secretText), tokens: sometimes(fc.array(secretText, { maxLength: 2 })), filename: sometimes(fc.constantFrom(...FILES)), scheme: sometimes(fc.constantFrom('Bearer', '', 'Token')), header: sometimes(fc.constantFrom('Authorization', 'X-Token', '__proto__', '')) }, { requiredKeys: [] }),
  fc.record({ client_auth: sometimes(fc.record({ username: sometimes(fc.constantFrom('user', '', '${env:P1}')), password: sometimes(secretText) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  fc.record({
    headers: sometimes(
      fc.array(
        fc.record({ key: sometimes(fc.constantFrom('X-Tenant', 'authorization', '__proto__', '')), value: sometimes(secretText), from_context: sometimes(fc.constantFrom('tenant', '')), default_value: sometimes(secretText), action: sometimes(fc.constantFrom('insert', 'upsert', 'delete', 'DELETE')) }, { requiredKeys: [] }),
        { maxLength: 3 },
      ),
    ),
  }, { requiredKeys: [] }),
  scalarJunk,
);

const pipelines = (ids: fc.Arbitrary<string>) =>
  fc.dictionary(
    fc.constantFrom('traces', 'metrics', 'logs', 'traces/2', '__proto__', 'constructor'),
    sometimes(
      fc.record(
        {
          receivers: sometimes(fc.constant(['otlp'])),
          processors: sometimes(fc.array(fc.constantFrom('batch', 'memory_limiter', 'memory_limiter/x', 'constructor', '__proto__'), { maxLength: 3 })),
          exporters: sometimes(fc.array(fc.oneof({ weight: 100, arbitrary: ids }, { weight: 1, arbitrary: scalarJunk }), { maxLength: 4 })),
        },
        { requiredKeys: ['exporters'] },
      ),
    ),
    { minKeys: 1, maxKeys: 3 },
  );

const collectorDoc = fc.array(exporterId, { minLength: 1, maxLength: 4 }).chain((ids) => {
  const known = ids.length > 0 ? fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: exporterId }) : exporterId;
  return fc.record(
    {
      receivers: fc.constant({ otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' } } } }),
      processors: sometimes(fc.record({ batch: fc.constant({}), memory_limiter: sometimes(fc.record({ limit_mib: sometimes(fc.oneof(fc.integer(), plainText)), limit_percentage: sometimes(fc.oneof(fc.double(), fc.constant('${env:P2}'))) }, { requiredKeys: [] })), 'memory_limiter/x': fc.constant({ limit_percentage: 80 }) }, { requiredKeys: [] })),
      exporters: sometimes(fc.tuple(...ids.map(() => exporterBlock)).map((blocks) => Object.fromEntries(ids.map((id, i) => [id, blocks[i]])))),
      extensions: sometimes(fc.dictionary(fc.constantFrom(...EXTENSION_IDS), extensionBlock, { maxKeys: 4 })),
      service: sometimes(
        fc.record(
          {
            extensions: sometimes(fc.array(fc.constantFrom(...EXTENSION_IDS), { maxLength: 3 })),
            pipelines: pipelines(known),
            telemetry: sometimes(fc.record({ metrics: sometimes(fc.record({ level: sometimes(fc.constantFrom('none', 'basic', 'detailed')), address: sometimes(plainText), readers: sometimes(fc.array(fc.record({ pull: fc.record({ exporter: fc.record({ prometheus: fc.record({ host: sometimes(plainText), port: sometimes(fc.oneof(fc.integer(), plainText)) }, { requiredKeys: [] }) }) }) }), { maxLength: 2 })) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
          },
          { requiredKeys: ['pipelines'] },
        ),
      ),
    },
    { requiredKeys: ['receivers', 'exporters', 'service'] },
  ).chain((doc) =>
    // a `__proto__` key, as YAML gives it: an own property
    fc.boolean().map((proto) =>
      proto ? Object.defineProperty({ ...doc }, '__proto__', { value: { polluted: 'yes', exporters: { otlp: { endpoint: 'polluted:4317' } } }, enumerable: true, writable: true, configurable: true }) : doc,
    ),
  );
});

const base = loadSentinelConfig(null, {});
const extraTargets = fc.uniqueArray(
  fc.record({ name: fc.constantFrom('otlp/extra', 'extra', 'otlp', 'otlp/a', 'constructor'), type: fc.constantFrom('otlp_grpc', 'otlp_http', 'otlp', 'otlphttp'), endpoint: sometimes(fc.oneof(plainText, userinfoUrl)), headers: sometimes(fc.dictionary(fc.constantFrom('authorization', 'x-key'), secretText, { maxKeys: 2 })), timeout: sometimes(fc.constantFrom('1s', '1s', '1s', '2s', 'x', '-1s')) }, { requiredKeys: ['name', 'type'] }),
  { selector: (x) => x.name, maxLength: 2 },
);
const sentinelArb = fc.record({
  exporters: fc.oneof({ weight: 5, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.array(exporterId, { maxLength: 2 }) }),
  extraTargets: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extraTargets }),
  certExpiryMs: fc.constantFrom(0, 336 * 3_600_000),
}).map(({ exporters, extraTargets, certExpiryMs }): SentinelConfig => ({
  ...base,
  source: SENTINEL_FILE,
  probe: { ...base.probe, exporters, extraTargets },
  thresholds: { ...base.thresholds, certExpiryMs },
}));

// ---- what must hold ----

const PROTOCOLS = ['grpc', 'http', 'tcp', 'none'];
const OTLP_TYPES = ['otlp', 'otlp_grpc', 'otlphttp', 'otlp_http'];
const SEVERITIES = ['critical', 'warning'];

function isDeepFrozen(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  return Object.isFrozen(v) && Object.values(v).every((x) => isDeepFrozen(x, seen));
}

function modelViolation(m: CollectorModel): string {
  if (!isDeepFrozen(m)) return 'model is not deeply frozen';
  const names = new Set<string>();
  for (const e of m.exporters) {
    if (typeof e.name !== 'string' || e.name === '') return `exporter without a name: ${JSON.stringify(e.name)}`;
    if (names.has(e.name)) return `two exporters named ${e.name}`;
    names.add(e.name);
    if (!PROTOCOLS.includes(e.protocol)) return `${e.name}: protocol ${String(e.protocol)}`;
    if ((e.protocol === 'grpc' || e.protocol === 'http') && !OTLP_TYPES.includes(e.type)) return `${e.name}: type ${e.type} probed as ${e.protocol}`;
    if (e.note !== undefined && (typeof e.note !== 'string' || e.note.includes(SECRET))) return `${e.name}: note ${String(e.note)}`;
    if (typeof e.endpoint !== 'string') return `${e.name}: endpoint ${typeof e.endpoint}`;
    if (!Number.isFinite(e.timeoutMs) || e.timeoutMs < 0) return `${e.name}: timeoutMs ${e.timeoutMs}`;
    if (!Object.values(e.headers).every((h) => typeof h === 'string')) return `${e.name}: a header value is not a string`;
    for (const p of e.configProblems) {
      const spec = reasonSpec(p.reason);
      if (!spec) return `${e.name}: unknown reason ${p.reason}`;
      if (!(CAUSES as readonly string[]).includes(p.cause) || p.cause !== spec.cause) return `${e.name}: ${p.reason} has cause ${p.cause}`;
      if (!SEVERITIES.includes(p.severity)) return `${e.name}: ${p.reason} has severity ${p.severity}`;
      for (const text of [p.message, p.fix]) {
        if (typeof text !== 'string' || text.trim() === '') return `${e.name}: ${p.reason} has an empty message or fix`;
        if (text.includes(SECRET)) return `${e.name}: ${p.reason} shows the secret: ${text}`;
        if (/undefined|\[object Object\]|NaN/.test(text)) return `${e.name}: ${p.reason} reads oddly: ${text}`;
      }
    }
  }
  if (typeof m.telemetryUrl !== 'string') return 'telemetryUrl';
  const ml = m.memoryLimiter;
  if (ml !== null) {
    for (const x of [ml.limitMib, ml.limitPercentage]) if (x !== undefined && !(Number.isFinite(x) && x > 0)) return `memory limiter ${x}`;
  }
  return '';
}

/** Whether Object.prototype gained keys; removes them, so one failure does not spill into the next case. */
const polluted = (): string => {
  const keys = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BUILTIN_PROTO_KEYS.has(k));
  for (const k of keys) delete (Object.prototype as Record<string, unknown>)[k];
  return keys.length > 0 ? `Object.prototype gained ${keys.join(', ')}` : '';
};
const BUILTIN_PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

function check(files: string[], envMap: Record<string, string>, sentinel: SentinelConfig): string {
  let model: CollectorModel;
  try {
    model = readCollectorConfig({ files, env: envMap, sentinel, now: Date.UTC(2030, 0, 1) });
  } catch (err) {
    const bad = configErrorViolation(err, [...files, SENTINEL_FILE], 800) || polluted();
    if (bad) return bad;
    return (err as Error).message.includes(SECRET) ? `the message shows the secret: ${(err as Error).message}` : '';
  }
  return modelViolation(model) || polluted();
}

const holds = (why: string): boolean => {
  if (why !== '') throw new Error(why);
  return true;
};

t.test('collector configs, one to three files, with env references everywhere', async (t) => {
  fc.assert(
    fc.property(fc.array(collectorDoc, { minLength: 1, maxLength: 3 }), env, sentinelArb, fc.gen(), (docs, envMap, sentinel, g) => {
      const pick = picker(g);
      const files = docs.map((d) => write(renderYaml(d, pick, { clean: pick(16) !== 0 })));
      return holds(check(files, envMap, sentinel));
    }),
    fuzzParams(1000),
  );
  t.pass('every config gave a well-formed model or a ConfigError, and no secret was shown');
});

t.test('damaged collector configs and junk trees', async (t) => {
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small' },
      scalarJunk,
      fc.array(tie('tree'), { maxLength: 3 }),
      fc.dictionary(fc.oneof(fc.constantFrom('exporters', 'service', 'pipelines', 'otlp', 'endpoint', 'headers', 'extensions', '<<', ...PROTO_KEYS), junkString(10)), tie('tree'), { maxKeys: 4 }),
    ),
  }));
  fc.assert(
    fc.property(fc.oneof(collectorDoc, tree), env, fc.gen(), (doc, envMap, g) => {
      const pick = picker(g);
      const text = damage(renderYaml(doc, pick), pick);
      return holds(check([write(text)], envMap, { ...base, source: SENTINEL_FILE }));
    }),
    fuzzParams(500),
  );
  t.pass('every input gave a well-formed model or a ConfigError');
});

t.test('no collector files: only extra targets', async (t) => {
  fc.assert(
    fc.property(extraTargets, env, (targets, envMap) =>
      holds(check([], envMap, { ...base, source: SENTINEL_FILE, probe: { ...base.probe, extraTargets: targets } })),
    ),
    fuzzParams(300),
  );
  t.pass('every set of extra targets gave a well-formed model or a ConfigError');
});

t.teardown(() => {
  console.log(`# fuzz: ${casesRun()} generated cases in read-collector-config`);
});
