/**
 * Values from a config file as shown in messages: one line whatever they hold, and short whatever
 * their length, so a message stays readable (and a pasted blob does not flood the log).
 */

const MAX_QUOTED = 80;

/** Shortens a text for a message to at most `max` characters. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/**
 * A value from the file as shown in a message: in double quotes, control characters and line
 * breaks escaped (the message stays one line), shortened when long.
 */
export function quote(text: string): string {
  const shown = text.length <= MAX_QUOTED ? text : text.slice(0, MAX_QUOTED);
  const q = JSON.stringify(shown).replace(/[\u0080-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length <= MAX_QUOTED ? q : `${q.slice(0, -1)}..." (${text.length} characters)`;
}

const BREAKS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Escapes line breaks and control characters, so a message is one line. */
export function oneLine(text: string): string {
  return text.replace(BREAKS, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
