/** The text shown in place of a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in a text. Overlapping secrets are cut out as one span
 * (the union of every match), so no part of either shows. Secrets shorter than 4 characters are
 * left alone: replacing "a" everywhere would make messages unreadable and hides nothing.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const spans: Array<[number, number]> = [];
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) spans.push([i, i + s.length]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let [start, end] = spans[0]!;
  for (const [s, e] of spans.slice(1)) {
    if (s <= end) {
      end = Math.max(end, e);
      continue;
    }
    out += text.slice(at, start) + REDACTED;
    at = end;
    [start, end] = [s, e];
  }
  return out + text.slice(at, start) + REDACTED + text.slice(end);
}

export { headerSecrets, SHOWN_HEADERS } from '../config/header-secrets.js';
