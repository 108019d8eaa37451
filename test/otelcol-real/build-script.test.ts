/**
 * scripts/build-otelcol.mjs on a tiny Go program in place of the collector (same script, pointed
 * elsewhere by OTELCOL_SOURCE_DIR and OTELCOL_CACHE_DIR): builds once per content, again when a
 * source changes (dropping the older build), and says what to install when there is no Go.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = join(root, 'scripts', 'build-otelcol.mjs');

t.setTimeout(240_000);

const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-build-script-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const source = join(dir, 'src');
const cache = join(dir, 'cache');
mkdirSync(source);
writeFileSync(join(source, 'go.mod'), 'module example.test/otelcol\n\ngo 1.26.0\n');
writeFileSync(join(source, 'go.sum'), '');
const program = (words: string): void =>
  writeFileSync(join(source, 'main.go'), `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(${JSON.stringify(words)}) }\n`);
const env = { ...process.env, OTELCOL_SOURCE_DIR: source, OTELCOL_CACHE_DIR: cache };
const build = (): string => execFileSync(process.execPath, [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

t.test('builds once per content of the sources', async (t) => {
  program('first');
  const first = build();
  t.match(first, /[/\\]cache[/\\][0-9a-f]{16}[/\\]otelcol$/, 'cache/<key>/otelcol');
  t.equal(execFileSync(first, { encoding: 'utf8' }).trim(), 'first', 'the built program runs');
  const built = statSync(first).mtimeMs;
  t.equal(build(), first, 'the same content: the same path');
  t.equal(statSync(first).mtimeMs, built, 'not built again');

  program('second');
  const second = build();
  t.not(second, first, 'a changed source: another key');
  t.equal(execFileSync(second, { encoding: 'utf8' }).trim(), 'second');
  t.notOk(existsSync(first), 'the older build is gone');
  t.same(readdirSync(cache), [dirname(second).split(/[/\\]/).pop()], 'one build in the cache');
});

t.test('a source that does not compile: the script fails and leaves nothing behind', async (t) => {
  writeFileSync(join(source, 'main.go'), 'package main\n\nfunc main() { undefined() }\n');
  const r = spawnSync(process.execPath, [script, '--quiet'], { env, encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /building .* failed \(go build exited 1\)/);
  t.same(
    readdirSync(cache).filter((f) => f.includes('.tmp-')),
    [],
    'no half-built folder',
  );
});

t.test('no Go on PATH: a message naming what to install', async (t) => {
  program('third');
  const r = spawnSync(process.execPath, [script], { env: { ...env, PATH: dirname(process.execPath) }, encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /no `go` command on PATH/);
  t.match(r.stderr, /Install Go 1\.26 or newer/);
  t.equal(r.stdout, '', 'no path printed');
});
