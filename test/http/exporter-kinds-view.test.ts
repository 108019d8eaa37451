import t from 'tap';
import { PLAIN, renderReport } from '../../src/views/check-report.js';
import { PHASES } from '../../src/diagnose/diagnosis.js';
import { PROTOCOLS } from '../../src/config/protocols.js';
import { statusView } from '../../src/views/status-view.js';
import { fixtureDiagnosis, healthyExporter } from '../helpers/diagnosis-fixture.js';

/**
 * The views say which signal was probed, what a probe leaves out and where `${...}` values came
 * from: the status page and the `check` report, from the same diagnosis.
 */
const exporters = [
  healthyExporter({ name: 'otlphttp/loki', endpoint: 'http://loki:3100/otlp/v1/logs', signal: 'logs', signals: ['logs'], note: null, value_sources: [] }),
  healthyExporter({
    name: 'otlp/both',
    protocol: 'grpc',
    signal: 'traces',
    signals: ['traces', 'metrics'],
    note: null,
    value_sources: [
      { key: 'headers.authorization', reference: '${env:TOKEN}', from: 'collector' },
      { key: 'endpoint', reference: '${file:/etc/ep}', from: 'file' },
      { key: 'headers.x', reference: '${file:/nope}', from: 'unreadable' },
      { key: 'headers.y', reference: '${env:Y}', from: 'something-new' },
    ],
  }),
  healthyExporter({ name: 'kafka', type: 'kafka', protocol: 'tcp', endpoint: 'broker:9092', signal: null, signals: ['logs', 'metrics'], note: 'transport only: Kafka, not OTLP' }),
  healthyExporter({ name: 'file', type: 'file', protocol: 'none', endpoint: '', signal: null, signals: ['logs'], note: 'not probed: file (it writes to a local file)', phases: { dns_seconds: null, connect_seconds: null, tls_seconds: null, request_seconds: null }, tls: null, queue: null }),
];
const d = fixtureDiagnosis({ exporters, healthy: true });

t.test('the status page: signal, the signals carried, the note, where values came from', (t) => {
  const html = statusView(PHASES, PROTOCOLS).renderApp(d, Date.parse('2026-11-23T20:00:00Z'), null);
  const card = (name: string): string => html.slice(html.indexOf(`data-exporter="${name}"`)).split('</article>')[0] ?? '';
  t.match(card('otlphttp/loki'), /<dt>Probed<\/dt><dd>logs<\/dd>/);
  t.match(card('otlp/both'), /<dt>Probed<\/dt><dd>traces \(carries traces, metrics\)<\/dd>/);
  t.match(card('otlp/both'), /<code>headers\.authorization<\/code> from the collector&#39;s environment/);
  t.match(card('otlp/both'), /<code>endpoint<\/code> from the file/);
  t.match(card('otlp/both'), /<code>headers\.x<\/code> from a file otel-sentinel cannot read/);
  t.match(card('otlp/both'), /<code>headers\.y<\/code> from something-new/, 'an unknown origin is shown as it is');
  t.match(card('kafka'), /kafka · TCP/);
  t.match(card('kafka'), /<dt>Carries<\/dt><dd>logs, metrics<\/dd>/);
  t.match(card('kafka'), /<dt>Note<\/dt><dd>transport only: Kafka, not OTLP<\/dd>/);
  t.match(card('file'), /file · not probed/);
  t.match(card('file'), /\(not probed\)/);
  t.match(card('file'), /UP/, 'nothing failed');
  t.end();
});

t.test('an older diagnosis without the new fields still renders', (t) => {
  const old = healthyExporter();
  for (const k of ['signal', 'signals', 'note', 'value_sources'] as const) delete (old as Partial<typeof old>)[k];
  const html = statusView(PHASES, PROTOCOLS).renderApp(fixtureDiagnosis({ exporters: [old] }), Date.now(), null);
  t.notMatch(html, /Probed|Carries|<dt>Note|<dt>Values/);
  t.match(html, /otlphttp · HTTP/);
  t.end();
});

t.test('the check report: the probed signal and the note under each exporter', (t) => {
  const text = renderReport(d, PLAIN);
  t.match(text, /UP {2}otlphttp\/loki {2}http {2}http:\/\/loki:3100\/otlp\/v1\/logs\n {2}probed {2}logs\n/);
  t.match(text, /UP {2}otlp\/both {2}grpc .*\n {2}probed {2}traces \(carries traces, metrics\)\n/);
  t.match(text, /UP {2}kafka {2}tcp {2}broker:9092\n {2}transport only: Kafka, not OTLP\n/);
  t.match(text, /UP {2}file {2}none {2}\n {2}not probed: file \(it writes to a local file\)\n/);
  t.end();
});
