/**
 * The cause/reason taxonomy as docs/reasons.md documents it, the reference the runbooks and alert
 * rules must cover (test/diagnose/catalogue.test.ts keeps that page and the catalogue in step).
 * Read from the page itself, so a reason added there is covered at once; an unreadable or empty
 * page throws rather than leaving the tests with nothing to check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAUSES, type Cause } from '../../../src/diagnose/problem.js';
import { REPO_ROOT } from './rule-files.js';

/** Every `### \`reason\`` section of the page with the cause its `- cause:` line names. */
export function documentedReasons(markdown: string): Record<Cause, string[]> {
  const out = Object.fromEntries(CAUSES.map((c) => [c, [] as string[]])) as Record<Cause, string[]>;
  for (const part of markdown.split(/^### /m).slice(1)) {
    const reason = /^`([a-z0-9_]+)`/.exec(part)?.[1];
    const cause = /^- cause: `([a-z]+)`/m.exec(part)?.[1];
    if (!reason) continue;
    if (!cause || !(CAUSES as readonly string[]).includes(cause)) throw new Error(`docs/reasons.md: ${reason} names no known cause`);
    out[cause as Cause].push(reason);
  }
  return out;
}

export const CONTRACT_REASONS: Readonly<Record<Cause, readonly string[]>> = documentedReasons(
  readFileSync(join(REPO_ROOT, 'docs/reasons.md'), 'utf8'),
);
for (const cause of CAUSES) {
  if (CONTRACT_REASONS[cause].length === 0) throw new Error(`docs/reasons.md documents no reason of the cause ${cause}`);
}

export type ContractCause = Cause;
export const CONTRACT_CAUSES: readonly Cause[] = CAUSES;
