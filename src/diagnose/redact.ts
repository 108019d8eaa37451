/** The text shown in place of a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in a text. Secrets shorter than 4 characters are left
 * alone: replacing "a" everywhere would make messages unreadable and hides nothing worth hiding.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Header names whose values are shown; every other header value is a secret. */
export const SHOWN_HEADERS: ReadonlySet<string> = new Set(['content-type', 'user-agent', 'accept']);
