import type { Cause, Severity } from './problem.js';

/**
 * Details a layer observed, used to fill a reason's message and fix. Values are already safe to
 * show: a layer never puts a header value, token, password or key material here.
 */
export type Facts = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** One entry of the catalogue: a reason code's cause, default severity, and its two texts. */
export interface ReasonSpec {
  readonly cause: Cause;
  readonly severity: Severity;
  /** one line for people: what was seen */
  readonly summary: string;
  readonly message: (facts: Facts) => string;
  readonly fix: (facts: Facts) => string;
}
