/**
 * The Prometheus/OpenMetrics text parser on random text and on damaged collector output: it
 * never throws, and what it returns is bounded by its input.
 */
import t from 'tap';
import fc from 'fast-check';
import { parsePrometheusText, parseSampleLine, type ParsedExposition } from '../../src/collector/prometheus-text.js';
import { casesRun, fuzzParams, junkString } from '../helpers/fuzz-kit.js';
import { picker } from '../helpers/yaml-text.js';

/** What an otelcol-contrib 0.1xx serves on :8888/metrics, trimmed. */
const COLLECTOR_OUTPUT = `# HELP otelcol_exporter_queue_capacity Fixed capacity of the retry queue (in batches) [alpha]
# TYPE otelcol_exporter_queue_capacity gauge
otelcol_exporter_queue_capacity{data_type="traces",exporter="otlp/tempo",service_instance_id="5d0c1f7e-3b7a-4a53-9f2e-0c6a4e1d2b11",service_name="otelcol-contrib",service_version="0.112.0"} 1000
# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches) [alpha]
# TYPE otelcol_exporter_queue_size gauge
otelcol_exporter_queue_size{data_type="traces",exporter="otlp/tempo",service_instance_id="5d0c1f7e-3b7a-4a53-9f2e-0c6a4e1d2b11",service_name="otelcol-contrib",service_version="0.112.0"} 61
# HELP otelcol_exporter_send_failed_spans_total Number of spans in failed attempts to send to destination. [alpha]
# TYPE otelcol_exporter_send_failed_spans_total counter
otelcol_exporter_send_failed_spans_total{exporter="otlp/tempo",service_instance_id="5d0c1f7e-3b7a-4a53-9f2e-0c6a4e1d2b11",service_name="otelcol-contrib",service_version="0.112.0"} 1.2e+03
otelcol_exporter_sent_spans_total{exporter="otlp/tempo",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_version=""} 1.043921e+06
# HELP otelcol_process_memory_rss Total physical memory (resident set size) [alpha]
# TYPE otelcol_process_memory_rss gauge
otelcol_process_memory_rss{service_instance_id="5d0c1f7e-3b7a-4a53-9f2e-0c6a4e1d2b11"} 1.23731968e+08
otelcol_process_uptime_seconds_total 8634.12 1712000000000
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} +Inf
target_info{service_name="otelcol-contrib",label="with \\"quotes\\", \\\\ and \\n"} 1
# EOF
`;

const LINES = COLLECTOR_OUTPUT.split('\n');
const JUNK = ['{', '}', '"', '\\', ',', '=', ' ', '\t', '\r', '#', '# EOF', 'NaN', '+Inf', '-Inf', '1e400', '0x1f', '\u0000', 'é', '😀', '\ud800', '\n', ' # {trace_id="a"} 1'];

/** One of several damages to a line: cut, insert, delete, repeat, swap in another line. */
function mutate(lines: string[], pick: (n: number) => number, rounds: number): string {
  const out = [...lines];
  for (let r = 0; r < rounds; r++) {
    const i = pick(out.length);
    const line = out[i] ?? '';
    const at = pick(line.length + 1);
    switch (pick(7)) {
      case 0:
        out[i] = line.slice(0, at);
        break;
      case 1:
        out[i] = line.slice(0, at) + JUNK[pick(JUNK.length)]! + line.slice(at);
        break;
      case 2:
        out[i] = line.slice(0, at) + line.slice(at + 1 + pick(8));
        break;
      case 3:
        out[i] = line.slice(0, at) + line.slice(at).repeat(1 + pick(50));
        break;
      case 4:
        out.splice(i, 0, out[pick(out.length)] ?? '');
        break;
      case 5:
        out[i] = `${line.slice(0, at)}{${'a="b",'.repeat(pick(200))}}${line.slice(at)}`;
        break;
      default:
        out.splice(i, 1);
    }
  }
  return out.join(pick(4) === 0 ? '\r\n' : '\n');
}

/** What must hold for any result: no more samples or errors than lines, finite bookkeeping. */
function violation(text: string, p: ParsedExposition): string {
  const lines = text.split('\n').length;
  if (p.samples.length + p.invalidLines > lines) return `${p.samples.length} samples and ${p.invalidLines} invalid lines from ${lines} lines`;
  if (p.errors.length > 5 || p.errors.length > p.invalidLines) return `${p.errors.length} errors for ${p.invalidLines} invalid lines`;
  if (p.types.size > lines || p.help.size > lines) return 'more TYPE or HELP entries than lines';
  for (const s of p.samples) {
    if (typeof s.name !== 'string' || s.name === '') return 'a sample without a name';
    if (typeof s.value !== 'number') return `value ${String(s.value)}`;
    if (s.timestampMs !== undefined && !Number.isFinite(s.timestampMs)) return `timestamp ${s.timestampMs}`;
    if (Object.getPrototypeOf(s.labels) !== null && Object.hasOwn(s.labels, '__proto__')) return 'labels with a prototype and a __proto__ key';
  }
  for (const e of p.errors) if (typeof e !== 'string' || !/^line \d+: /.test(e)) return `error ${JSON.stringify(e).slice(0, 100)}`;
  return '';
}

const holds = (why: string): boolean => {
  if (why !== '') throw new Error(why);
  return true;
};

t.test('the collector output as it is parses without an invalid line', async (t) => {
  const p = parsePrometheusText(COLLECTOR_OUTPUT);
  t.equal(p.invalidLines, 0, p.errors.join('; '));
  t.equal(p.samples.length, 8);
  t.equal(violation(COLLECTOR_OUTPUT, p), '');
});

t.test('damaged collector output', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.gen(), (rounds, g) => {
      const text = mutate(LINES, picker(g), rounds);
      return holds(violation(text, parsePrometheusText(text)));
    }),
    fuzzParams(2000),
  );
});

t.test('random text and random lines', async (t) => {
  const token = fc.oneof(
    fc.constantFrom('otelcol_exporter_queue_size', 'a', '_', ':', '{', '}', '="', '"', ',', '\\"', '\\\\', '\\n', '\\', ' ', '\t', '1', '-1.5e3', 'NaN', '+Inf', '# TYPE ', '# HELP ', '# EOF', '#', '\n', '\r\n', 'le="+Inf"', '"quoted name"'),
    junkString(6),
  );
  fc.assert(
    fc.property(fc.oneof(fc.array(token, { maxLength: 60 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
      const p = parsePrometheusText(text);
      for (const line of text.split('\n')) {
        const s = parseSampleLine(line);
        if (typeof s !== 'string' && typeof s.value !== 'number') throw new Error('sample without a numeric value');
      }
      return holds(violation(text, p));
    }),
    fuzzParams(2000),
  );
});

t.test('huge input: long lines, many labels, many lines', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom('labels', 'value', 'lines', 'quote', 'help'), fc.integer({ min: 1_000, max: 200_000 }), (form, n) => {
      const text = {
        labels: `m{${Array.from({ length: Math.min(n, 20_000) }, (_, i) => `l${i}="v"`).join(',')}} 1`,
        value: `m ${'9'.repeat(n)}`,
        lines: 'm{a="b"} 1\n'.repeat(Math.min(n, 50_000)),
        quote: `m{a="${'\\'.repeat(n)}`,
        help: `# HELP m ${'\\n'.repeat(n)}\nm 1`,
      }[form];
      return holds(violation(text, parsePrometheusText(text)));
    }),
    fuzzParams(40),
  );
});

t.teardown(() => {
  console.log(`# fuzz: ${casesRun()} generated cases in prometheus-text`);
});
