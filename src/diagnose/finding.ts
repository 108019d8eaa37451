import { problem, type ReasonCode } from './catalogue.js';
import type { Problem, Severity } from './problem.js';
import type { Facts } from './reason-spec.js';

/**
 * Something a reader noticed, named by its reason code with what it saw: a missing credential, an
 * unset variable, a proxy_url that is no URL. diagnose/ turns it into a problem (problemOf); the
 * severity is the catalogue's unless the finding says otherwise.
 */
export interface Finding {
  readonly reason: ReasonCode;
  readonly facts: Facts;
  readonly severity?: Severity;
}

/** The problem a finding names. */
export const problemOf = (f: Finding): Problem => problem(f.reason, f.facts, f.severity);

/** A finding of a reason code with what was seen (the catalogue's severity). */
export const finding = (reason: ReasonCode, facts: Facts): Finding => ({ reason, facts });
