import { readFileSync, writeFileSync } from 'node:fs';

/** A `for:` key of a rule: indentation, then `for: DURATION` alone on its line. */
const FOR_LINE = /^(\s+)for:\s*\S+\s*$/;

export interface ShortForRules {
  /** the rewritten file's text */
  readonly text: string;
  /** 0-based numbers of the lines that changed: exactly the `for:` lines */
  readonly changedLines: readonly number[];
  /** lines that differ between the two files and are not `for:` lines in both (must be empty) */
  readonly otherChanges: readonly { readonly line: number; readonly before: string; readonly after: string }[];
}

/**
 * A copy of a rule file with every `for:` duration replaced by `duration`, everything else
 * identical, written to `dest`. The shipped rules wait minutes before firing (so one bad probe
 * round never pages); an end-to-end test cannot wait that long, and what it proves (the
 * expressions, labels, annotations and routing) does not depend on the wait. The result says which
 * lines changed, so the test can assert that nothing but `for:` did.
 */
export function writeShortForRules(src: string, dest: string, duration: string): ShortForRules {
  const before = readFileSync(src, 'utf8').split('\n');
  const after = before.map((line) => line.replace(FOR_LINE, `$1for: ${duration}`));
  const changedLines: number[] = [];
  const otherChanges: { line: number; before: string; after: string }[] = [];
  before.forEach((b, i) => {
    const a = after[i] ?? '';
    if (a === b) return;
    if (FOR_LINE.test(b) && FOR_LINE.test(a)) changedLines.push(i);
    else otherChanges.push({ line: i, before: b, after: a });
  });
  const text = after.join('\n');
  writeFileSync(dest, text);
  return { text, changedLines, otherChanges };
}
