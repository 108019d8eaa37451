import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MAX_ENVIRON_BYTES, readProcessEnvironment } from '../../src/collector/process-environment.js';

t.test('an environment past the read limit: whole variables are kept, the one cut at the limit is dropped', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sentinel-environ-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '7'));
  const filler = `FILLER=${'f'.repeat(MAX_ENVIRON_BYTES - 100)}\0`;
  writeFileSync(join(root, '7', 'environ'), `A=1\0${filler}TOKEN=${'t'.repeat(500)}\0LATE=1\0`);
  const r = await readProcessEnvironment(root, 7);
  t.ok(r.ok);
  const env = r.ok ? r.env : {};
  t.equal(env.A, '1', 'before the limit: kept');
  t.equal(env.FILLER?.length, MAX_ENVIRON_BYTES - 100, 'a whole variable before the limit: kept');
  t.notOk('TOKEN' in env, 'the variable cut at the limit is dropped, not kept with part of its value');
  t.notOk('LATE' in env, 'past the limit: not read');

  writeFileSync(join(root, '7', 'environ'), 'A=1\0B=2\0');
  const small = await readProcessEnvironment(root, 7);
  t.same(small.ok ? { ...small.env } : null, { A: '1', B: '2' }, 'a small environment: read whole');
});
