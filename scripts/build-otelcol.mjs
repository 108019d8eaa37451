#!/usr/bin/env node
// Builds the real OpenTelemetry Collector the tests run (test/otelcol: the collector's own Go
// modules) with `go build -trimpath` into .cache/otelcol/<key>/otelcol, where <key> is a hash of
// the content of go.mod, go.sum and every .go file there: it builds again only when they change.
// Prints the binary's path on stdout. Needs Go 1.26 or newer on PATH; without it, stops with a
// message that says so. `--quiet` leaves out the progress lines on stderr.
// OTELCOL_SOURCE_DIR and OTELCOL_CACHE_DIR replace test/otelcol and .cache/otelcol (for its own test).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.env['OTELCOL_SOURCE_DIR'] || join(root, 'test', 'otelcol');
const cache = process.env['OTELCOL_CACHE_DIR'] || join(root, '.cache', 'otelcol');
const quiet = process.argv.includes('--quiet');
const MIN_GO = [1, 26];

const inputs = ['go.mod', 'go.sum', ...readdirSync(source).filter((f) => f.endsWith('.go')).sort()];
const hash = createHash('sha256');
for (const f of inputs) {
  hash.update(`${f}\0`);
  hash.update(readFileSync(join(source, f)));
  hash.update('\0');
}
const key = hash.digest('hex').slice(0, 16);
const binary = join(cache, key, 'otelcol');

if (!existsSync(binary)) {
  const go = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  const found = go.status === 0 ? /^go(\d+)\.(\d+)/.exec(go.stdout.trim()) : null;
  const tooOld = found !== null && (Number(found[1]) < MIN_GO[0] || (Number(found[1]) === MIN_GO[0] && Number(found[2]) < MIN_GO[1]));
  if (found === null || tooOld) {
    const what = found === null ? 'no `go` command on PATH' : `Go ${go.stdout.trim()} is too old`;
    console.error(
      `otel-sentinel's tests build the OpenTelemetry Collector (test/otelcol) from its Go modules: ${what}.\n` +
        `Install Go ${MIN_GO.join('.')} or newer (https://go.dev/dl/) and put its bin directory on PATH, ` +
        'with access to the Go module proxy (GOPROXY).',
    );
    process.exit(1);
  }
  if (!quiet) console.error(`building the OpenTelemetry Collector (test/otelcol) into ${binary}...`);
  const tmp = join(cache, `${key}.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const built = spawnSync('go', ['build', '-trimpath', '-o', join(tmp, 'otelcol'), '.'], {
    cwd: source,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -buildvcs=false -mod=readonly`.trim() },
  });
  if (built.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    console.error(`building test/otelcol failed (go build exited ${built.status ?? built.signal}); see the lines above`);
    process.exit(1);
  }
  // Another build may have finished first; either binary is the same build.
  if (existsSync(binary)) rmSync(tmp, { recursive: true, force: true });
  else {
    try {
      renameSync(tmp, join(cache, key));
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(binary)) throw err;
    }
  }
  // Builds of older contents are of no use any more.
  for (const old of readdirSync(cache)) {
    if (old !== key && !old.includes('.tmp-')) rmSync(join(cache, old), { recursive: true, force: true });
  }
}
process.stdout.write(`${binary}\n`);
