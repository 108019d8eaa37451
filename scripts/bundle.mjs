#!/usr/bin/env node
// Bundles the compiled daemon (dist/src) and its packages into dist/bundle/: the program the image
// and `npm start` run. One file per part that is loaded at a different time (the CLI, the daemon,
// `check`, the demo, grpc-js for the first gRPC exporter), so that nothing is loaded before it is
// needed, as with the unbundled modules. What it saves and why: docs/performance.md
// ("One bundle instead of 450 modules").
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

// Two modules load with `createRequire(import.meta.url)` on purpose (src/net/node-http.ts,
// src/net/undici-client.ts). In the bundle their `require` is the bundle's own: the declaration is
// dropped, so that esbuild sees the calls and bundles what they name.
const CREATE_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/m;
const ownRequire = {
  name: 'own-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, async (args) => {
      // every module is read here once, and handed on whether it changed or not
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replace(CREATE_REQUIRE, ''), loader: 'js' };
    });
  },
};

// `import ... from 'node:fs'` in an ES module builds that module's ES namespace, which reads every
// export, lazy ones included: node:fs then loads its streams, node:http Node's own fetch and
// WebSocket, node:perf_hooks its timing classes, each compiled for nothing the daemon runs (about
// 30 ms of start-up, and memory). In the bundle every import of a Node module is a require(), as in
// CommonJS, which reads only what is used.
const builtinAsRequire = {
  name: 'builtin-as-require',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (!builtins.has(bare) || args.kind !== 'import-statement') return undefined;
      return { path: bare, namespace: 'node-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
  },
};

// undici calls `assert(condition)` on its hot paths and never anything else of node:assert; loading
// node:assert compiles its error formatting (diffs, colours) at start-up. In the bundle, the
// packages' `require('node:assert')` gets a function that loads the real module only when an
// assertion fails, and hands it the same arguments: the same error is thrown. Any other member
// is read from the real module.
const LAZY_ASSERT = `let real = null;
const load = () => (real ??= require('node:assert'));
module.exports = new Proxy(function assert() {}, {
  get: (target, key) => (key === 'prototype' || key === 'length' || key === 'name' ? target[key] : load()[key]),
  apply: (target, self, args) => { if (!args[0]) load()(...args); },
});`;
const lazyAssert = {
  name: 'lazy-assert',
  setup(b) {
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) =>
      // the shim's own require is the real module
      args.kind === 'require-call' && args.namespace !== 'lazy-assert' ? { path: 'assert', namespace: 'lazy-assert' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({ contents: LAZY_ASSERT, loader: 'js' }));
  },
};

await rm(outdir, { recursive: true, force: true }); // no chunk of an earlier build left behind
const result = await build({
  entryPoints: { 'otel-sentinel': join(root, 'dist', 'src', 'bin.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: names stay as written, so stack traces and logs still read.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunks/[name]-[hash]',
  // The packages are CommonJS: their require() of Node's own modules needs a real require.
  banner: { js: "import { createRequire as __sentinelRequire } from 'node:module';\nconst require = __sentinelRequire(import.meta.url);" },
  plugins: [ownRequire, builtinAsRequire, lazyAssert],
  legalComments: 'none', // the packages' licences go whole into THIRD-PARTY-LICENSES.txt, below
  logLevel: 'warning',
  metafile: true,
});

// Every package that went into the bundle, with its licence text, as shipping node_modules did.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const notices = [];
for (const name of [...packages].sort()) {
  const dir = join(root, 'node_modules', name);
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const file = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? await readFile(join(dir, file), 'utf8') : `(no licence file; package.json says ${pkg.license ?? 'nothing'})`;
  notices.push(`${pkg.name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${text.trim()}\n`);
}
await writeFile(join(outdir, 'THIRD-PARTY-LICENSES.txt'), `Packages bundled into otel-sentinel:\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`);

if (process.argv.includes('--verbose')) {
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/bundle: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB`);
}
