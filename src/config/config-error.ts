import { clip, oneLine } from './quote.js';

/**
 * An unusable configuration: names the file, the key (dotted path) and what was expected, so the
 * one-line message is enough to fix it. Never carries a secret value.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
  ) {
    // Keys come from the file too: a key holding a line break or a blob must not break the line.
    super(oneLine(`${file}${key ? `: ${clip(key)}` : ''}: ${problem}`));
  }
}
