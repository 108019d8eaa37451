import { ConfigError } from './config-error.js';
import { child, isRaw, text, type Raw } from './collector-values.js';
import { formatPath } from './expand-env.js';
import { sourceOf, type ConfigDocument } from './merge-config.js';
import { QUEUE_SIZERS, isQueueSizer } from './queue-sizer.js';
import { clip } from './quote.js';
import { isOtlpType, kindOf } from './exporter-kinds.js';
import { PROTOCOLS } from './protocols.js';

/** What every refusal says: the collector does not start, so nothing it would send is sent. */
const REFUSED = 'the collector refuses this config and does not start (`otelcol validate` fails)';

/**
 * The keys the collector (v0.165.0) decodes in an OTLP exporter's block; any other key makes it
 * refuse the whole config ("has invalid keys"). exporterhelper's timeout, sending_queue and
 * retry_on_failure, plus configgrpc's or confighttp's client settings (`clientKeys` of the
 * protocol table).
 */
const COMMON_KEYS = ['timeout', 'sending_queue', 'retry_on_failure', 'endpoint', 'tls', 'headers', 'auth', 'compression',
  'read_buffer_size', 'write_buffer_size', 'middlewares', 'dialer_middleware', 'keepalive'];
// Maps, not object literals: a type or key named `constructor` or `valueOf` is just a name here
const KEYS_BY_PROTOCOL: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(PROTOCOLS).map(([protocol, traits]) => [protocol, new Set([...COMMON_KEYS, ...traits.clientKeys])]),
);
/** The keys an OTLP exporter type decodes, by its protocol in the exporter kinds table; undefined for any other type. */
const keysOfType = (type: string): ReadonlySet<string> | undefined => (isOtlpType(type) ? KEYS_BY_PROTOCOL.get(kindOf(type).protocol) : undefined);

/** Keys that moved: a likely intent for a refused key, so the fix can name where it went. */
const MOVED: ReadonlyMap<string, string> = new Map([
  ['max_idle_conns', 'keepalive.max_idle_conns'],
  ['max_idle_conns_per_host', 'keepalive.max_idle_conns_per_host'],
  ['idle_conn_timeout', 'keepalive.idle_conn_timeout'],
  ['disable_keep_alives', 'keepalive.enabled: false'],
]);

/** The closest allowed key by edit distance, when it is close enough to be a typo. */
function closest(key: string, allowed: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of allowed) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The release whose exporter keys COMMON_KEYS and the protocol table's `clientKeys` list. */
export const KEYS_RELEASE = 'v0.165.0';

/** A key an OTLP exporter of KEYS_RELEASE does not have, with a likely intent when one is seen. */
export interface UnknownExporterKey {
  readonly key: string;
  readonly type: string;
  /** "it moved: use keepalive.max_idle_conns", "did you mean \"endpoint\"?" */
  readonly hint?: string;
}

/**
 * The keys of each OTLP exporter that collector KEYS_RELEASE does not know, by exporter id. Not an
 * error of otel-sentinel's: a newer collector may have added the key, so each becomes a warning on
 * its exporter, never a refusal of the whole config.
 */
export function unknownExporterKeys(collector: Raw): Map<string, UnknownExporterKey[]> {
  const out = new Map<string, UnknownExporterKey[]>();
  const exporters = child(collector, 'exporters');
  if (!isRaw(exporters)) return out;
  for (const [id, block] of Object.entries(exporters)) {
    const type = id.split('/')[0] ?? id;
    const allowed = keysOfType(type);
    if (allowed === undefined || !isRaw(block)) continue;
    for (const key of Object.keys(block)) {
      if (allowed.has(key)) continue;
      const moved = MOVED.get(key);
      const typo = moved === undefined ? closest(key, allowed) : undefined;
      const hint = moved !== undefined ? `it moved: use ${moved}` : typo !== undefined ? `did you mean "${typo}"?` : undefined;
      const list = out.get(id) ?? [];
      list.push({ key, type, ...(hint !== undefined ? { hint } : {}) });
      out.set(id, list);
    }
  }
  return out;
}

/**
 * Throws ConfigError for what the collector itself refuses to start with, found by reading the
 * merged, env-expanded config (the collector v0.165.0, `otelcol validate`, is the oracle the tests
 * hold this to): the removed `service.telemetry.metrics.address`, the removed `logging` exporter, a
 * `sending_queue.sizer` other than requests, items or bytes. Only what every recent release refuses
 * is refused here; a key an OTLP exporter does not have is a warning (unknownExporterKeys).
 */
export function checkRefusedByCollector(collector: Raw, docs: readonly ConfigDocument[]): void {
  const metrics = child(child(child(collector, 'service'), 'telemetry'), 'metrics');
  if (isRaw(metrics) && Object.hasOwn(metrics, 'address')) {
    const path = ['service', 'telemetry', 'metrics', 'address'];
    throw new ConfigError(sourceOf(docs, path), formatPath(path),
      `${REFUSED}: \`address\` was deprecated in collector v0.111.0, ignored from v0.123.0 and is now an invalid key. ` +
      'Remove it and serve the internal metrics with a reader instead: ' +
      '`readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 8888}}}}]` under service.telemetry.metrics');
  }
  const exporters = child(collector, 'exporters');
  if (!isRaw(exporters)) return;
  for (const [id, block] of Object.entries(exporters)) {
    const type = id.split('/')[0] ?? id;
    if (type === 'logging') {
      const path = ['exporters', id];
      throw new ConfigError(sourceOf(docs, path), formatPath(path),
        `${REFUSED}: the logging exporter was removed in collector v0.111.0. Use the debug exporter instead ` +
        `(\`debug: {verbosity: basic}\`; \`loglevel\` becomes \`verbosity\`) and rename "${clip(id)}" in every pipeline that uses it`);
    }
    const queue = child(block, 'sending_queue');
    if (isRaw(queue) && Object.hasOwn(queue, 'sizer')) {
      const sizer = queue['sizer'];
      // an empty value leaves the default, as in the collector
      if (sizer !== null && !isQueueSizer(sizer)) {
        const path = ['exporters', id, 'sending_queue', 'sizer'];
        const shown = text(sizer);
        throw new ConfigError(sourceOf(docs, path), formatPath(path),
          `${REFUSED}: invalid sizer ${shown === undefined ? '(not a word)' : `"${clip(shown)}"`}; use one of ${QUEUE_SIZERS.join(', ')} ` +
          '(what queue_size counts: requests as the pipeline hands them over, the default; spans, metric points or log records; or bytes)');
      }
    }
  }
}
