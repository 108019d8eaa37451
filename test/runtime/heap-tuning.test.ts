import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { tuneHeap } from '../../src/runtime/heap-tuning.js';

// The built module, in a plain node: a loader compiling TypeScript would have grown the young
// generation before the tuning could keep it small.
const BUILT = pathToFileURL(resolve('dist/src/runtime/heap-tuning.js')).href;

/**
 * In a fresh process: optionally tune the heap, then keep many young objects alive across
 * collections (which makes V8 grow its young generation) and report the young generation's size.
 */
function youngGenerationAfterLoad(tune: boolean): { applied: boolean; size: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { tuneHeap } from ${JSON.stringify(BUILT)};
    const applied = ${tune} ? tuneHeap() : false;
    const keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i }); if (keep.length > 200000) keep.splice(0, 100000); }
    // Right after such a loop Node 24 reports new_space at up to 9 MB for a moment, tuned or not,
    // and at the size it keeps (2 MB tuned) once the event loop has turned: read that one.
    await new Promise((r) => setTimeout(r, 200));
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(JSON.stringify({ applied, size: young.space_size }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(out.trim()) as { applied: boolean; size: number };
}

t.test('the tuned heap keeps its young generation small under load', async (t) => {
  const plain = youngGenerationAfterLoad(false);
  const tuned = youngGenerationAfterLoad(true);
  t.ok(plain.size >= 8 * 2 ** 20, `V8's default grows the young generation (${plain.size} bytes)`);
  t.equal(tuned.applied, true);
  t.ok(tuned.size <= 4 * 2 ** 20, `tuned, it stays at its starting size (${tuned.size} bytes)`);
});

t.test('a process started with heap options of its own keeps them', async (t) => {
  t.equal(tuneHeap(['--max-semi-space-size=8'], ''), false);
  t.equal(tuneHeap([], '--max_semi_space_size=8'), false, 'in NODE_OPTIONS, with underscores too');
  t.equal(tuneHeap(['--optimize-for-size'], ''), false);
  t.equal(tuneHeap(['--heap-growing-percent=20'], ''), false);
  t.equal(tuneHeap(['--max-old-space-size=512', '--enable-source-maps'], ''), true, 'other options do not count');
});
