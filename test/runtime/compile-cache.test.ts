import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { enableCompileCache } from '../../src/runtime/compile-cache.js';

const STATUS = { FAILED: 0, ENABLED: 1, ALREADY_ENABLED: 2, DISABLED: 3 };
const api = (answer: () => { status: number }) => ({ enableCompileCache: answer, constants: { compileCacheStatus: STATUS } });

t.test('what enabling the compile cache answers, by what Node offers', async (t) => {
  t.equal(enableCompileCache({}), 'unsupported', 'Node.js 20 has no enableCompileCache');
  t.equal(enableCompileCache(api(() => ({ status: 1 }))), 'enabled');
  t.equal(enableCompileCache(api(() => ({ status: 2 }))), 'already-enabled');
  t.equal(enableCompileCache(api(() => ({ status: 3 }))), 'disabled');
  t.equal(enableCompileCache(api(() => ({ status: 0 }))), 'failed');
  t.equal(enableCompileCache(api(() => ({ status: 9 }))), 'failed', 'a status this code does not know');
  t.equal(enableCompileCache({ enableCompileCache: () => ({ status: 1 }) }), 'failed', 'no status names to read it by');
  t.equal(
    enableCompileCache(
      api(() => {
        throw new Error('EACCES');
      }),
    ),
    'failed',
    'it never throws',
  );
});

t.test('the CLI fills the compile cache where Node puts it, on Node.js 22 and later', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir, NODE_OPTIONS: '' };
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  const out = execFileSync(process.execPath, [resolve('dist/src/bin.js'), '--version'], { encoding: 'utf8', env });
  t.match(out, /^\d+\.\d+\.\d+/);
  const cache = join(dir, 'node-compile-cache');
  const supported = Number(process.versions.node.split('.')[0]) >= 22;
  t.equal(existsSync(cache), supported, supported ? 'written' : 'Node.js 20 has none');
  if (supported) t.ok(readdirSync(cache).length > 0, 'it holds entries');
});
