import type { Facts } from '../facts.js';
import type { Cause, Severity } from './problem.js';

export type { Facts } from '../facts.js';

/** One entry of the catalogue: a reason code's cause, default severity, and its two texts. */
export interface ReasonSpec {
  readonly cause: Cause;
  readonly severity: Severity;
  /** one line for people: what was seen */
  readonly summary: string;
  readonly message: (facts: Facts) => string;
  readonly fix: (facts: Facts) => string;
}
