import t from 'tap';
import fc from 'fast-check';
import { parsePrometheusText, parseSampleLine } from '../../src/collector/prometheus-text.js';

t.test('reads HELP, TYPE and samples in the collector\'s format', async (t) => {
  const page = [
    '# HELP otelcol_exporter_sent_spans_total Number of spans successfully sent to destination. [alpha]',
    '# TYPE otelcol_exporter_sent_spans_total counter',
    'otelcol_exporter_sent_spans_total{exporter="otlp/tempo",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_version=""} 1.043921e+06',
    '',
    '# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches)',
    '# TYPE otelcol_exporter_queue_size gauge',
    'otelcol_exporter_queue_size{data_type="traces",exporter="otlp/tempo"} 61',
  ].join('\n');
  const p = parsePrometheusText(page);
  t.equal(p.invalidLines, 0);
  t.equal(p.samples.length, 2);
  t.equal(p.types.get('otelcol_exporter_sent_spans_total'), 'counter');
  t.equal(p.help.get('otelcol_exporter_queue_size'), 'Current size of the retry queue (in batches)');
  t.same(p.samples[0], {
    name: 'otelcol_exporter_sent_spans_total',
    labels: { exporter: 'otlp/tempo', otel_scope_name: 'go.opentelemetry.io/collector/exporter/exporterhelper', otel_scope_version: '' },
    value: 1043921,
  });
  t.equal(p.samples[1]!.labels['data_type'], 'traces');
});

t.test('label values with escaped quotes, backslashes and newlines; odd spacing; trailing comma', async (t) => {
  const s = parseSampleLine('m{a="say \\"hi\\"",b="c:\\\\dir",c="two\\nlines", d = "x" ,} 3');
  t.not(typeof s, 'string', s as string);
  if (typeof s === 'string') return;
  t.same(s.labels, { a: 'say "hi"', b: 'c:\\dir', c: 'two\nlines', d: 'x' });
  t.equal(s.value, 3);
  const braces = parseSampleLine('m{a="}{,=\\""} 1');
  t.same(typeof braces === 'string' ? braces : braces.labels, { a: '}{,="' });
});

t.test('special values, timestamps, exemplars, CRLF and # EOF', async (t) => {
  const p = parsePrometheusText('a NaN\r\nb +Inf\nc -Inf 1712000000000\nd 1.5e3 1712000000.5 \ne_total{x="1"} 2 # {trace_id="abc"} 1 1712000000\n# EOF\nafter 1\n');
  t.equal(p.invalidLines, 0);
  t.equal(p.samples.length, 5, 'nothing after # EOF');
  t.ok(Number.isNaN(p.samples[0]!.value));
  t.equal(p.samples[1]!.value, Infinity);
  t.equal(p.samples[2]!.value, -Infinity);
  t.equal(p.samples[2]!.timestampMs, 1712000000000, 'text format: ms');
  t.equal(p.samples[3]!.timestampMs, 1712000000500, 'OpenMetrics: seconds');
  t.equal(p.samples[4]!.value, 2);
});

t.test('quoted UTF-8 metric names', async (t) => {
  const s = parseSampleLine('{"otelcol.exporter.queue_size", exporter="otlp"} 4');
  t.same(typeof s === 'string' ? s : [s.name, s.labels, s.value], ['otelcol.exporter.queue_size', { exporter: 'otlp' }, 4]);
});

t.test('bad lines are counted with their line number, the rest still read', async (t) => {
  const p = parsePrometheusText('good 1\nbad{a="x} 2\nworse{a=x} 3\nnovalue\nvalue_junk 0x10\nok{} 5\n9bad 1\nm 1 2 3\n');
  t.equal(p.samples.length, 2);
  t.same(p.samples.map((s) => s.name), ['good', 'ok']);
  t.equal(p.invalidLines, 6);
  t.match(p.errors[0], /^line 2: /);
  t.equal(p.errors.length, 5, 'bounded');
});

t.test('fuzz: never throws on any input, and reads back what it is given', async (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
    const p = parsePrometheusText(s);
    return p.samples.length + p.invalidLines >= 0;
  }), { numRuns: 2000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
    parsePrometheusText(`m{a="${s}"} 1\n${s}`);
    return true;
  }), { numRuns: 1000 });
  const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
  const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
  const value = fc.double({ noNaN: true });
  fc.assert(fc.property(name, fc.dictionary(labelName, fc.string({ maxLength: 20 }), { maxKeys: 4 }), value, (n, labels, v) => {
    const esc = (x: string): string => x.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const body = Object.entries(labels).map(([k, x]) => `${k}="${esc(x)}"`).join(',');
    const text = v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
    const s = parseSampleLine(`${n}{${body}} ${text}`);
    if (typeof s === 'string') return false;
    return s.name === n && JSON.stringify(Object.entries(s.labels)) === JSON.stringify(Object.entries(labels)) && s.value === v;
  }), { numRuns: 1000 });
});
