import tap from 'tap';
import { startPeer } from '../helpers/reliability-peers.js';

tap.test('a killed backend peer starts again on the same ports', async (t) => {
  const first = await startPeer(t, 'backend');
  const post = (): Promise<number> => fetch(`http://127.0.0.1:${first.ports.http}/v1/traces`, { method: 'POST', body: '' }).then((r) => r.status);
  t.equal(await post(), 200);
  await first.kill();
  await t.rejects(post(), 'nothing listens after kill -9');
  const again = await startPeer(t, 'backend', first.ports);
  t.same(again.ports, first.ports);
  t.equal(await post(), 200);
});
