import t from 'tap';
import { PHASES } from '../../src/diagnose/diagnosis.js';
import { PROTOCOLS } from '../../src/config/protocols.js';
import { statusView } from '../../src/views/status-view.js';
import { failingExporter, fixtureDiagnosis } from '../helpers/diagnosis-fixture.js';

t.test('fix and message text: `spans` render as code, escaped; a lone backtick stays as written', async (t) => {
  const d = fixtureDiagnosis();
  d.exporters = [
    failingExporter({
      problems: [
        {
          cause: 'network',
          reason: 'connection_refused',
          severity: 'critical',
          message: 'exporter "otlp/tempo": refused; the shell`s quote is not code',
          fix: 'Start the backend; `nc -vz tempo 4317` shows the port; `<b>bold</b> & more` too',
        },
      ],
    }),
  ];
  const html = statusView(PHASES, PROTOCOLS).renderApp(d, Date.parse('2026-11-23T20:00:00Z'), null);
  t.match(html, '<code>nc -vz tempo 4317</code> shows the port', 'a command as code');
  t.match(html, '<code>&lt;b&gt;bold&lt;/b&gt; &amp; more</code> too', 'escaped inside code');
  t.notMatch(html, '<b>bold', 'no markup from the text');
  t.notMatch(html, /`nc -vz/, 'no raw backticks around the command');
  t.match(html, 'the shell`s quote is not code', 'an unpaired backtick is left alone');
});

t.test('an exporter probed through a proxy shows it, up or not', async (t) => {
  const html = statusView(PHASES, PROTOCOLS).renderApp(fixtureDiagnosis(), Date.parse('2026-11-23T20:00:00Z'), null);
  const card = html.slice(html.indexOf('data-exporter="otlphttp/honeycomb"'));
  t.match(card.slice(0, card.indexOf('</article>')), '<dt>Proxy</dt><dd><code>http://proxy.internal:3128</code> from HTTPS_PROXY · CONNECT tunnel</dd>');
  const tempo = html.slice(html.indexOf('data-exporter="otlp/tempo"'));
  t.notMatch(tempo.slice(0, tempo.indexOf('</article>')), '<dt>Proxy</dt>', 'direct: no proxy line');
});
