import t from 'tap';
import { fixtureDiagnosis } from './diagnosis-fixture.js';

t.test('the fixture has the keys of the diagnosis document (CONTRACT §6)', async (t) => {
  const d = JSON.parse(JSON.stringify(fixtureDiagnosis())) as Record<string, unknown>;
  t.same(Object.keys(d).sort(), ['checked_at', 'collector', 'exporters', 'healthy']);
  t.same(Object.keys(d.collector as object).sort(), [
    'found', 'max_fds', 'memory_limit_bytes', 'oom_kills', 'open_fds', 'pid', 'problems', 'restarts', 'rss_bytes',
  ]);
  for (const e of d.exporters as Record<string, unknown>[]) {
    t.same(Object.keys(e).sort(), [
      'checked_at', 'endpoint', 'last_success_at', 'name', 'phases', 'problems', 'protocol', 'proxy', 'queue', 'tls', 'type', 'up',
    ]);
    t.same(Object.keys(e.phases as object).sort(), ['connect_seconds', 'dns_seconds', 'request_seconds', 'tls_seconds']);
  }
});
